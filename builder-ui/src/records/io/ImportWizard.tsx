import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Modal, Progress, Radio, Result, Select, Statistic, Steps, Table, Upload } from 'antd';
import { useState } from 'react';
import type { FormSpec, ImportColumn, ImportResult, ImportRowError } from '../../api/formTypes';
import { importRecords, importWithProgress, type ImportOptions } from '../../api/records';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  /** changed: records were written. */
  onClose: (changed: boolean) => void;
}

type Step = 'file' | 'map' | 'check' | 'run';

/** Columns mapped by the user: header -> field key, "" for ignored. */
type Mapping = Record<string, string>;

/**
 * Import in four steps: pick a CSV or .xlsx file; check how its columns
 * map to fields (the server's automatic mapping, changeable); a dry run
 * that lists every bad row with its column and reason; the run itself with
 * a progress bar fed by the server's progress events.
 */
export function ImportWizard({ app, form, spec, onClose }: Props) {
  const { t, text } = useI18n();
  const [step, setStep] = useState<Step>('file');
  const [file, setFile] = useState<File>();
  const [columns, setColumns] = useState<ImportColumn[]>([]);
  const [mapping, setMapping] = useState<Mapping>({});
  const [check, setCheck] = useState<ImportResult>();
  const [mode, setMode] = useState<'all' | 'skip'>('skip');
  const [upsertBy, setUpsertBy] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [progress, setProgress] = useState(0);
  const [result, setResult] = useState<ImportResult>();
  const writable = spec.fields.filter((f) => !fieldTypeUI(f.type).computed);
  const uniques = spec.fields.filter((f) => f.unique);

  const fail = (e: unknown) => {
    const m = errorMessage(e);
    setError(e instanceof Error && e.message && m.key === 'error.unknown' ? e.message : t(m.key, m.params));
  };
  const options = (): ImportOptions => {
    const o: ImportOptions = { mapping, mode };
    if (upsertBy) o.upsertBy = upsertBy;
    return o;
  };

  // A first dry run reads the header and maps the columns.
  const pick = async (f: File) => {
    setFile(f);
    setError(undefined);
    setBusy(true);
    try {
      const r = await importRecords(app, form, f, { dryRun: true });
      setColumns(r.columns);
      const m: Mapping = {};
      for (const c of r.columns) m[c.header] = c.status === 'mapped' && c.field ? c.field : '';
      setMapping(m);
      setStep('map');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const dryRun = async () => {
    if (!file) return;
    setError(undefined);
    setBusy(true);
    try {
      setCheck(await importRecords(app, form, file, { ...options(), dryRun: true }));
      setStep('check');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const run = async () => {
    if (!file || !check) return;
    setError(undefined);
    setBusy(true);
    setStep('run');
    setProgress(0);
    try {
      const total = Math.max(check.rows, 1);
      const r = await importWithProgress(app, form, file, options(), (p) => {
        // mode all validates every row first, then writes: two halves of the bar.
        const share = mode === 'all' ? (p.phase === 'validate' ? 0 : 50) : 0;
        const scale = mode === 'all' ? 50 : 100;
        setProgress(Math.min(99, Math.round(share + (p.rows / total) * scale)));
      });
      setProgress(100);
      setResult(r);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const stepIndex = { file: 0, map: 1, check: 2, run: 3 }[step];
  const errorColumns = [
    { key: 'row', title: t('import.row'), dataIndex: 'row', width: 70 },
    { key: 'column', title: t('import.column'), render: (_: unknown, e: ImportRowError) => [e.column, fieldLabel(e.path)].filter(Boolean).join(' · ') },
    { key: 'message', title: t('import.reason'), dataIndex: 'message' },
  ];
  function fieldLabel(path: string): string {
    const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path)?.[0];
    const f = spec.fields.find((x) => x.key === key);
    return f ? text(f.label) : path;
  }

  let body;
  if (step === 'file') {
    body = (
      <div data-testid="import-file">
      <Upload.Dragger
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        beforeUpload={(f) => {
          void pick(f);
          return false;
        }}
        showUploadList={false}
        disabled={busy}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p>{t('import.drop')}</p>
        <p style={{ color: 'rgba(0,0,0,0.45)' }}>{t('import.hint')}</p>
      </Upload.Dragger>
      </div>
    );
  } else if (step === 'map') {
    body = (
      <Flex vertical gap={12}>
        <Table<ImportColumn>
          size="small"
          rowKey="column"
          pagination={false}
          dataSource={columns}
          columns={[
            { key: 'col', title: t('import.column'), render: (_: unknown, c) => `${c.column} · ${c.header}` },
            {
              key: 'field',
              title: t('import.field'),
              render: (_: unknown, c) => (
                <Select
                  value={mapping[c.header] ?? ''}
                  onChange={(v: string) => setMapping((m) => ({ ...m, [c.header]: v }))}
                  options={[{ value: '', label: t('import.ignore') }, ...writable.map((f) => ({ value: f.key, label: text(f.label) }))]}
                  style={{ width: '100%', minWidth: 140 }}
                  aria-label={`${t('import.field')} ${c.header}`}
                />
              ),
            },
          ]}
        />
        {uniques.length > 0 && (
          <Flex gap={8} align="center" wrap>
            <span>{t('import.upsertBy')}</span>
            <Select
              allowClear
              value={upsertBy}
              onChange={setUpsertBy}
              options={uniques.map((f) => ({ value: f.key, label: text(f.label) }))}
              placeholder={t('import.createOnly')}
              style={{ minWidth: 160 }}
            />
          </Flex>
        )}
      </Flex>
    );
  } else if (step === 'check' && check) {
    const bad = check.errors ?? [];
    body = (
      <Flex vertical gap={12} data-testid="import-check">
        <Flex gap={24} wrap>
          <Statistic title={t('import.rows')} value={check.rows} />
          <Statistic title={upsertBy ? t('import.willCreate') : t('import.ok')} value={check.created} />
          {upsertBy && <Statistic title={t('import.willUpdate')} value={check.updated} />}
          <Statistic title={t('import.failed')} value={check.failed} valueStyle={check.failed ? { color: '#cf1322' } : undefined} />
        </Flex>
        {bad.length > 0 && (
          <>
            <div data-testid="import-errors">
              <Table<ImportRowError> size="small" rowKey={(e) => `${e.row}/${e.path}/${e.code}`} dataSource={bad} columns={errorColumns} pagination={{ pageSize: 10, hideOnSinglePage: true }} />
            </div>
            {check.errorsTruncated && <Alert type="info" message={t('import.truncated')} />}
            <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as 'all' | 'skip')}>
              <Flex vertical gap={4}>
                <Radio value="skip">{t('import.modeSkip')}</Radio>
                <Radio value="all">{t('import.modeAll')}</Radio>
              </Flex>
            </Radio.Group>
          </>
        )}
      </Flex>
    );
  } else {
    body = result ? (
      <div data-testid="import-result">
      <Result
        status={result.outcome === 'written' ? 'success' : 'warning'}
        title={t(`import.outcome.${result.outcome}` as 'import.outcome.written')}
        subTitle={t('import.summary', { created: result.created, updated: result.updated, failed: result.failed })}
      />
      </div>
    ) : (
      <div data-testid="import-progress">
        <Progress percent={progress} status={error ? 'exception' : 'active'} />
      </div>
    );
  }

  const footer = (
    <Flex justify="flex-end" gap={8}>
      {step === 'map' && (
        <Button type="primary" loading={busy} onClick={() => void dryRun()} data-testid="import-dry-run">
          {t('import.dryRun')}
        </Button>
      )}
      {step === 'check' && check && (
        <>
          <Button onClick={() => setStep('map')}>{t('import.back')}</Button>
          <Button type="primary" onClick={() => void run()} disabled={check.rows === check.failed} data-testid="import-run">
            {t('import.run', { n: mode === 'skip' || check.failed === 0 ? check.rows - check.failed : check.rows })}
          </Button>
        </>
      )}
      {step === 'run' && (
        <Button type="primary" disabled={busy} onClick={() => onClose(!!result && result.created + result.updated > 0)} data-testid="import-close">
          {t('import.close')}
        </Button>
      )}
    </Flex>
  );

  return (
    <Modal open title={t('import.title')} onCancel={() => !busy && onClose(!!result)} footer={footer} width={720} maskClosable={false} destroyOnHidden>
      <Flex vertical gap={16}>
        <Steps size="small" current={stepIndex} items={[{ title: t('import.stepFile') }, { title: t('import.stepMap') }, { title: t('import.stepCheck') }, { title: t('import.stepRun') }]} responsive={false} />
        {error && <Alert type="error" message={error} showIcon data-testid="import-error" />}
        {body}
      </Flex>
    </Modal>
  );
}
