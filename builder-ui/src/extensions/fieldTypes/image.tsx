import { FileInput, fileTypeBase, ImageDisplay } from './attachment';
import type { FieldTypeUI, InputProps } from './types';

function ImageField(p: InputProps) {
  return <FileInput {...p} image />;
}

/** image: uploaded pictures, shown as thumbnails. */
export const image: FieldTypeUI = {
  key: 'image',
  ...fileTypeBase,
  Input: ImageField,
  Display: ImageDisplay,
};
