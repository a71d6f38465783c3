import { Segmented } from 'antd';
import type { CSSProperties } from 'react';
import { useI18n } from '../../i18n/useI18n';

/** Which revision a preview shows: the draft being edited, or the published one. */
export type Which = 'draft' | 'published';

/** The draft / published switch of the previews (published is off until there is one). */
export function WhichVersion({ value, onChange, published, style }: { value: Which; onChange: (w: Which) => void; published: boolean; style?: CSSProperties }) {
  const { t } = useI18n();
  return (
    <Segmented
      size="small"
      value={value}
      onChange={(w) => onChange(w as Which)}
      options={[
        { value: 'draft', label: t('builder.previewDraft') },
        { value: 'published', label: t('builder.previewPublished'), disabled: !published },
      ]}
      style={style}
      data-testid="preview-version"
    />
  );
}
