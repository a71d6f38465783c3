import { Alert, Button, Empty, Flex, List, Select, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { listRecords } from '../../api/records';
import { formatDateTime } from '../../format/date';
import type { FormSpec, RecordDoc } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { recordTitle } from '../../records/resolve';
import { problemText } from '../errors';
import { WhichVersion, type Which } from '../lifecycle/WhichVersion';
import type { Designer } from '../lifecycle/useDesigner';
import type { AutomationRun } from './api';
import { asRun, depth, durationParts, notes, outcome, tally, testAutomation, type Outcome, type TestResult } from './testRun';
import type { AutomationSpec } from './steps';

const color: Record<Outcome, string> = { ok: 'green', error: 'red', outside: 'purple', not_chosen: 'default', after_error: 'orange', condition: 'default' };

/** Searches records of a form, twenty at a time, as the caller may read them. */
function RecordSearch({ app, form, spec, value, onChange }: { app: string; form: string; spec: FormSpec | undefined; value: string | undefined; onChange: (id: string | undefined) => void }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<RecordDoc[]>([]);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      listRecords(app, form, { q: search, limit: 20 }, ctl.signal).then(
        (page) => (setItems(page.items), setLoading(false)),
        () => setLoading(false),
      );
    }, 250);
    return () => (clearTimeout(timer), ctl.abort());
  }, [app, form, search]);
  const options = useMemo(() => items.map((r) => ({ value: r._id, label: recordTitle(r, spec, r._id) })), [items, spec]);
  return (
    <Select
      showSearch
      allowClear
      filterOption={false}
      onSearch={setSearch}
      value={value}
      onChange={(v?: string) => onChange(v)}
      options={options}
      loading={loading}
      placeholder={t('builder.auto.test.pick')}
      style={{ width: 260 }}
      aria-label={t('builder.auto.test.record')}
      data-testid="test-record"
    />
  );
}

/**
 * The test run: a record of the trigger's form, the draft (saved first
 * when it has changes) or the published version, and each step's result —
 * computed by the engine in a transaction it rolls back, so nothing is
 * written and no message is sent.
 */
export function TestRunPanel({ d, form, formSpec, onShow }: { d: Designer<AutomationSpec>; form: string; formSpec: FormSpec | undefined; onShow: (run: AutomationRun) => void }) {
  const { t, locale } = useI18n();
  const [which, setWhich] = useState<Which>('draft');
  const [record, setRecord] = useState<string>();
  const [result, setResult] = useState<TestResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (which === 'draft' && d.dirty && !(await d.save())) return;
      setResult(await testAutomation(d.app, d.key, form ? record : undefined, which));
    } catch (e) {
      setResult(undefined);
      setError(problemText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const counts = result ? tally(result) : undefined;
  const waitParams = (p: Record<string, string>) => ({
    until: formatDateTime(p.until ?? '', locale),
    wait: durationParts(Number(p.seconds))
      .map((x) => t(`builder.auto.test.unit.${x.unit}` as MessageKey, { n: x.n }))
      .join(' '),
  });

  return (
    <Flex vertical gap={12} data-testid="test-run">
      <Typography.Text type="secondary">{t('builder.auto.test.hint')}</Typography.Text>
      <Flex gap={8} wrap align="center">
        <WhichVersion value={which} onChange={setWhich} published={!!d.published} />
        {form && <RecordSearch app={d.app} form={form} spec={formSpec} value={record} onChange={setRecord} />}
        <Button type="primary" onClick={() => void run()} loading={busy} disabled={!!form && !record} data-testid="test-run-button">
          {which === 'draft' && d.dirty ? t('builder.auto.test.saveAndRun') : t('builder.auto.test.run')}
        </Button>
      </Flex>
      {error && <Alert type="error" showIcon message={error} data-testid="test-run-error" />}
      {result && (
        <>
          <Alert
            type={result.failed ? 'error' : result.matched ? 'success' : 'info'}
            showIcon
            message={
              result.matched
                ? t('builder.auto.test.summary', { version: result.version, ran: counts!.ran, skipped: counts!.skipped, failed: counts!.failed })
                : t('builder.auto.test.noMatch', { version: result.version })
            }
            data-testid="test-run-summary"
            action={
              <Button size="small" onClick={() => onShow(asRun(result, t('builder.auto.test.tab')))} data-testid="test-run-show">
                {t('builder.auto.showOnSteps')}
              </Button>
            }
          />
          {result.steps.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
          ) : (
            <List
              size="small"
              bordered
              dataSource={result.steps}
              renderItem={(s) => {
                const o = outcome(s);
                return (
                  <List.Item data-testid={`test-step-${s.step}`} style={{ paddingLeft: 12 + depth(s.path) * 24 }}>
                    <Flex vertical gap={2} style={{ width: '100%' }}>
                      <Flex gap={8} align="center">
                        <Tag color={color[o]}>{t(`builder.auto.test.${o}` as MessageKey)}</Tag>
                        <Typography.Text strong>{s.step}</Typography.Text>
                        <Typography.Text type="secondary">{s.kind}</Typography.Text>
                      </Flex>
                      {s.error && <Typography.Text type="danger">{s.error.message ?? s.error.code}</Typography.Text>}
                      {notes(s).map((n, i) => (
                        <Typography.Text key={i}>{t(`builder.auto.test.note.${n.key}` as MessageKey, n.key === 'wait' ? waitParams(n.params) : n.params)}</Typography.Text>
                      ))}
                      {s.result !== undefined && notes(s).length === 0 && (
                        <Typography.Paragraph code ellipsis={{ rows: 2, expandable: true }} style={{ fontSize: 12, marginBottom: 0, wordBreak: 'break-all' }}>
                          {JSON.stringify(s.result)}
                        </Typography.Paragraph>
                      )}
                    </Flex>
                  </List.Item>
                );
              }}
            />
          )}
        </>
      )}
    </Flex>
  );
}
