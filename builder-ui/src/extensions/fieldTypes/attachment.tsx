import { PaperClipOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Image, Space, Upload, type UploadFile } from 'antd';
import { useRef, useState } from 'react';
import type { FileRef } from '../../api/formTypes';
import { fileUrl, uploadFile } from '../../api/records';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import { OPS_EXISTS } from '../../records/stored';
import { Empty, setting } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

/** The file references a value holds. */
export function refsOf(v: unknown): FileRef[] {
  return Array.isArray(v) ? v.filter((x): x is FileRef => typeof x === 'object' && x !== null && typeof (x as FileRef).id === 'string') : [];
}

/**
 * Uploads files into an attachment or image field, each with its progress
 * (XMLHttpRequest upload events). A finished upload adds its reference to
 * the value; the record keeps it only once saved. The server sniffs the
 * type and checks it and the size against the field (accept, maxSize) and
 * says why at the file.
 */
export function FileInput({ field, value, onChange, ctx, disabled, id, image }: InputProps & { image?: boolean }) {
  const { t } = useI18n();
  const refs = refsOf(value);
  // Uploads finish after later renders: they append to the latest value.
  const latest = useRef(value);
  latest.current = value;
  const [pending, setPending] = useState<UploadFile[]>([]);
  const maxFiles = setting<number>(field, 'maxFiles', 'number') ?? 10;
  const accept = Array.isArray(field.accept) ? (field.accept as string[]).join(',') : image ? 'image/*' : undefined;
  const done: UploadFile[] = refs.map((r) => ({ uid: r.id, name: r.name, status: 'done', url: fileUrl(ctx.app, r.id), size: r.size, type: r.contentType }));
  const patch = (uid: string, change: Partial<UploadFile> | null) =>
    setPending((list) => (change === null ? list.filter((f) => f.uid !== uid) : list.map((f) => (f.uid === uid ? { ...f, ...change } : f))));

  return (
    <Upload
      id={id}
      listType={image ? 'picture-card' : 'text'}
      fileList={[...done, ...pending]}
      accept={accept}
      multiple={maxFiles > 1}
      disabled={disabled}
      customRequest={({ file }) => {
        const f = file as File & { uid: string };
        setPending((list) => [...list, { uid: f.uid, name: f.name, status: 'uploading', percent: 0 }]);
        uploadFile(ctx.app, ctx.form, field.key, f, (percent) => patch(f.uid, { percent })).then(
          (ref) => {
            patch(f.uid, null);
            onChange([...refsOf(latest.current), ref]);
          },
          (err: unknown) => {
            const m = errorMessage(err);
            const detail = err instanceof Error ? err.message : '';
            patch(f.uid, { status: 'error', response: detail || t(m.key, m.params) });
          },
        );
      }}
      onRemove={(f) => {
        if (pending.some((p) => p.uid === f.uid)) patch(f.uid, null);
        else onChange(refs.filter((r) => r.id !== f.uid));
        return false;
      }}
    >
      {refs.length + pending.length >= maxFiles ? null : image ? (
        <div>
          <PlusOutlined />
          <div style={{ marginTop: 8 }}>{t('field.upload')}</div>
        </div>
      ) : (
        <Button icon={<UploadOutlined />} disabled={disabled}>
          {t('field.upload')}
        </Button>
      )}
    </Upload>
  );
}

/** Links to the files (downloads go through a record the reader may see). */
export function AttachmentDisplay({ value, ctx }: DisplayProps) {
  const refs = refsOf(value);
  if (refs.length === 0) return <Empty />;
  return (
    <Space direction={ctx.compact ? 'horizontal' : 'vertical'} size={2} wrap>
      {refs.map((r) => (
        <a key={r.id} href={fileUrl(ctx.app, r.id)} target="_blank" rel="noreferrer" onClick={(e) => e.stopPropagation()}>
          <PaperClipOutlined /> {r.name}
        </a>
      ))}
    </Space>
  );
}

/** Thumbnails that open the picture. */
export function ImageDisplay({ value, ctx }: DisplayProps) {
  const refs = refsOf(value);
  if (refs.length === 0) return <Empty />;
  const size = ctx.compact ? 32 : 96;
  return (
    <Image.PreviewGroup>
      <Space size={4} wrap>
        {refs.map((r) => (
          <Image key={r.id} src={fileUrl(ctx.app, r.id)} alt={r.name} width={size} height={size} style={{ objectFit: 'cover' }} />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

/** The shared parts of attachment and image. */
export const fileTypeBase = {
  stored: () => ({ kind: 'string' as const, array: true, ops: OPS_EXISTS }),
  toInput: (v: unknown) => {
    const refs = refsOf(v);
    return refs.length > 0 ? refs : null;
  },
};

/** attachment: uploaded files of any accepted type. */
export const attachment: FieldTypeUI = {
  key: 'attachment',
  ...fileTypeBase,
  Input: FileInput,
  Display: AttachmentDisplay,
};
