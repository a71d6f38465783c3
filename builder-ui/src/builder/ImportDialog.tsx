import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, Descriptions, Flex, List, Modal, Tag, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError } from '../api/problem';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import { importApp, type ImportReport, type ImportOptions } from './api';

interface Props {
  open: boolean;
  app: string;
  /** changed: definitions were written. */
  onClose: (changed: boolean) => void;
}

/** The outcome of one try: a report, or a refusal with its reasons. */
interface Outcome {
  report?: ImportReport;
  conflicts?: string[];
  problems?: string[];
  message?: string;
}

/** What a conflict's field error says, by path: definitions[3].key -> the entry's kind/key. */
function conflictsOf(e: ApiError, bundle: unknown): string[] {
  const defs = (bundle as { definitions?: { kind?: string; key?: string }[] }).definitions ?? [];
  return e.fieldErrors.map((f) => {
    const i = /^definitions\[(\d+)\]/.exec(f.path)?.[1];
    const d = i === undefined ? undefined : defs[Number(i)];
    return d ? `${d.kind}/${d.key}` : f.message;
  });
}

/**
 * Imports an exported app file into this app: a dry run first reports what
 * would be created, updated and left unchanged, and the definitions that
 * already exist (conflicts); the import itself then runs with the chosen
 * options. A malformed or newer-format file is refused with its reasons.
 */
export function ImportDialog({ open, app, onClose }: Props) {
  const { t } = useI18n();
  const [bundle, setBundle] = useState<unknown>();
  const [fileName, setFileName] = useState('');
  const [opts, setOpts] = useState<Omit<ImportOptions, 'dryRun'>>({ overwrite: false, publish: false });
  const [checked, setChecked] = useState<Outcome>();
  const [done, setDone] = useState<ImportReport>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setBundle(undefined);
      setFileName('');
      setChecked(undefined);
      setDone(undefined);
    }
  }, [open]);

  const attempt = async (dryRun: boolean, b = bundle) => {
    setBusy(true);
    try {
      const report = await importApp(app, b, { ...opts, dryRun });
      if (dryRun) setChecked({ report });
      else setDone(report);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'meta.import_conflict') setChecked({ conflicts: conflictsOf(e, b) });
      else if (e instanceof ApiError && e.fieldErrors.length > 0) setChecked({ problems: e.fieldErrors.map((f) => `${f.path}: ${f.message}`), message: e.message });
      else {
        const m = errorMessage(e);
        setChecked({ message: t(m.key, m.params) });
      }
    } finally {
      setBusy(false);
    }
  };

  const read = async (file: File) => {
    setFileName(file.name);
    setChecked(undefined);
    setDone(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      setBundle(undefined);
      setChecked({ message: t('builder.importNotJson') });
      return;
    }
    setBundle(parsed);
    await attempt(true, parsed);
  };

  const list = (label: string, items: string[] | null | undefined, color: string) =>
    items && items.length > 0 ? (
      <Descriptions.Item label={label}>
        <Flex wrap gap={4}>
          {items.map((x) => (
            <Tag key={x} color={color}>
              {x}
            </Tag>
          ))}
        </Flex>
      </Descriptions.Item>
    ) : null;

  const report = done ?? checked?.report;
  const canImport = !!bundle && !done && !!checked && !checked.problems && !(checked.message && !checked.conflicts) && (!checked.conflicts || opts.overwrite);
  return (
    <Modal
      open={open}
      title={t('builder.importTitle')}
      onCancel={() => onClose(!!done)}
      width={640}
      footer={
        done ? (
          <Button type="primary" onClick={() => onClose(true)}>
            {t('builder.close')}
          </Button>
        ) : (
          <Flex gap={8} justify="end">
            <Button disabled={!bundle} loading={busy} onClick={() => void attempt(true)} data-testid="import-check">
              {t('builder.importCheck')}
            </Button>
            <Button type="primary" disabled={!canImport} loading={busy} onClick={() => void attempt(false)} data-testid="import-run">
              {t('builder.importRun')}
            </Button>
          </Flex>
        )
      }
    >
      <Flex vertical gap={12}>
        <div data-testid="app-import-file">
        <Upload.Dragger
          accept=".json,application/json"
          showUploadList={false}
          beforeUpload={(file) => {
            void read(file);
            return false;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{fileName || t('builder.importDrop')}</p>
        </Upload.Dragger>
        </div>
        <Flex gap={16}>
          <Checkbox checked={opts.overwrite} onChange={(e) => setOpts({ ...opts, overwrite: e.target.checked })} data-testid="import-overwrite">
            {t('builder.importOverwrite')}
          </Checkbox>
          <Checkbox checked={opts.publish} onChange={(e) => setOpts({ ...opts, publish: e.target.checked })}>
            {t('builder.importPublish')}
          </Checkbox>
        </Flex>
        {checked?.message && <Alert type="error" showIcon message={checked.message} data-testid="import-refused" />}
        {checked?.problems && (
          <List size="small" bordered dataSource={checked.problems} renderItem={(p) => <List.Item>{p}</List.Item>} data-testid="import-problems" />
        )}
        {checked?.conflicts && (
          <Alert
            type="warning"
            showIcon
            message={t('builder.importConflicts', { n: checked.conflicts.length })}
            description={
              <Flex wrap gap={4}>
                {checked.conflicts.map((c) => (
                  <Tag key={c} color="orange">
                    {c}
                  </Tag>
                ))}
              </Flex>
            }
            data-testid="import-conflicts"
          />
        )}
        {report && (
          <>
            <Typography.Text strong data-testid="import-report-title">
              {done ? t('builder.importDone') : t('builder.importWould')}
            </Typography.Text>
            <Descriptions column={1} size="small" bordered data-testid="import-report">
              {list(t('builder.importCreated'), report.created, 'green')}
              {list(t('builder.importUpdated'), report.updated, 'blue')}
              {list(t('builder.importUnchanged'), report.unchanged, 'default')}
              {list(t('builder.importConflicted'), report.conflicts, 'orange')}
            </Descriptions>
          </>
        )}
      </Flex>
    </Modal>
  );
}
