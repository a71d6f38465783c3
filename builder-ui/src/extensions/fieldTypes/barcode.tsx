import { BarcodeOutlined } from '@ant-design/icons';
import { Input } from 'antd';
import { setting, textType, usePlaceholder } from './shared';
import type { InputProps } from './types';

function BarcodeField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  // Hand-held scanners type the code and press Enter, which must not submit the form.
  return (
    <Input
      id={id}
      prefix={<BarcodeOutlined />}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      onPressEnter={(e) => e.preventDefault()}
      disabled={disabled}
      placeholder={placeholder}
      maxLength={setting<number>(field, 'maxLength', 'number') ?? 128}
      allowClear
    />
  );
}

/** barcode: a bar or QR code's text; scanners act as keyboards. */
export const barcode = textType('barcode', BarcodeField);
