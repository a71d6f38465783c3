import { PlusOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, List, Select, Tag, Typography } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { analyzeRule, type RuleReport } from '../api';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import { specPath, type Designer } from '../lifecycle/useDesigner';
import { RuleGrid, cellKey, type Marks } from './RuleGrid';
import { RulePreview } from './RulePreview';
import { addRow, badValues, locate, parseCell, type HitPolicy, type RuleSpec } from './table';

const POLICIES: HitPolicy[] = ['first', 'priority', 'collect', 'sum'];

/** Puts messages on the cells (or rows) their paths name. */
function markAll(marks: Marks, list: { path: string; message: string }[], level: 'error' | 'warning'): void {
  for (const p of list) {
    const at = locate(specPath(p.path));
    if (at.row === undefined) continue;
    const k = at.input ? cellKey(at.row, 'when', at.input) : at.output ? cellKey(at.row, 'then', at.output) : cellKey(at.row, 'row');
    const prev = marks.cells.get(k);
    marks.cells.set(k, { level: prev?.level === 'error' ? 'error' : level, text: [...(prev?.text ?? []), p.message] });
  }
}

/** The decision table editor: a typed grid, the server's analysis, and a preview. */
export function RuleDesigner({ d }: { d: Designer<RuleSpec> }) {
  const { t } = useI18n();
  const spec = d.spec;
  const [report, setReport] = useState<RuleReport>();
  const [analyzing, setAnalyzing] = useState(false);
  const [analyzeError, setAnalyzeError] = useState<string>();
  const [used, setUsed] = useState<number[]>([]);
  const onRows = useCallback((rows: number[]) => setUsed(rows), []);

  const localProblems = useMemo(() => {
    const out: { path: string; message: string }[] = [];
    spec.rows.forEach((r, i) => {
      for (const c of spec.inputs) {
        const m = parseCell(r.when[c.key], c.type);
        if (m.kind !== 'any' && m.kind !== 'raw' && badValues(m, c.type).length > 0) out.push({ path: `rows[${i}].when.${c.key}`, message: t('builder.rule.badValue', { type: t(`builder.rule.type.${c.type}` as MessageKey) }) });
      }
    });
    return out;
  }, [spec, t]);

  const marks = useMemo<Marks>(() => {
    const m: Marks = { cells: new Map(), used: new Set(used) };
    if (report && report.version === d.latest.version && !d.dirty) markAll(m, report.warnings, 'warning');
    markAll(m, report && report.version === d.latest.version && !d.dirty ? report.errors : [], 'error');
    markAll(m, d.problems, 'error');
    markAll(m, localProblems, 'error');
    return m;
  }, [report, d.problems, d.latest.version, d.dirty, localProblems, used]);

  const analyze = async () => {
    setAnalyzing(true);
    setAnalyzeError(undefined);
    try {
      if (d.dirty && !(await d.save())) return;
      setReport(await analyzeRule(d.app, d.key));
    } catch (e) {
      const m = errorMessage(e);
      setAnalyzeError(t(m.key, m.params));
    } finally {
      setAnalyzing(false);
    }
  };

  const fresh = report && report.version === d.latest.version && !d.dirty;
  return (
    <Flex vertical gap={12} style={{ minWidth: 0 }}>
      <LifecycleBar
        d={d}
        blockers={localProblems.map((p) => `${p.path}: ${p.message}`)}
        extra={
          <Button icon={<SafetyCertificateOutlined />} loading={analyzing} onClick={() => void analyze()} data-testid="analyze">
            {t('builder.rule.analyze')}
          </Button>
        }
      />
      {/* The preview beside the grid on a wide screen, under it on a phone. */}
      <Flex gap={12} align="start" wrap style={{ minWidth: 0 }}>
        <Flex vertical gap={12} style={{ flex: '1 1 480px', minWidth: 0 }}>
          <Card size="small">
            <Form layout="inline" size="small" component="div" style={{ rowGap: 8 }}>
              <Form.Item label={t('builder.form.label')}>
                <div style={{ width: 260 }}>
                  <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'rule:title')} onBlur={d.seal} label={t('builder.form.label')} />
                </div>
              </Form.Item>
              <Form.Item label={t('builder.rule.hitPolicy')} tooltip={t(`builder.rule.policyHelp.${spec.hitPolicy}` as MessageKey)}>
                <Select
                  value={spec.hitPolicy}
                  onChange={(hitPolicy: HitPolicy) => d.set({ ...spec, hitPolicy })}
                  options={POLICIES.map((p) => ({ value: p, label: t(`builder.rule.policy.${p}` as MessageKey) }))}
                  style={{ width: 160 }}
                  aria-label={t('builder.rule.hitPolicy')}
                />
              </Form.Item>
              <Form.Item label={t('builder.setting.timeZone')}>
                <Input value={spec.timeZone ?? ''} placeholder="Asia/Shanghai" onChange={(e) => d.set({ ...spec, timeZone: e.target.value || undefined }, 'rule:tz')} style={{ width: 150 }} />
              </Form.Item>
            </Form>
          </Card>
          <RuleGrid spec={spec} set={d.set} marks={marks} />
          <Button icon={<PlusOutlined />} type="dashed" onClick={() => d.set(addRow(spec))} data-testid="add-row">
            {t('builder.rule.addRow')}
          </Button>
          {analyzeError && <Alert type="error" showIcon message={analyzeError} />}
          {fresh && (
            <Card size="small" title={t('builder.rule.analysis', { version: report.version })} data-testid="analysis">
              {report.errors.length === 0 && report.warnings.length === 0 ? (
                <Typography.Text type="success">{t('builder.rule.clean')}</Typography.Text>
              ) : (
                <List
                  size="small"
                  dataSource={[...report.errors.map((p) => ({ ...p, level: 'error' as const })), ...report.warnings.map((p) => ({ ...p, level: 'warning' as const }))]}
                  renderItem={(p) => (
                    <List.Item>
                      <Tag color={p.level === 'error' ? 'red' : 'gold'}>{t(p.level === 'error' ? 'builder.rule.error' : 'builder.rule.warning')}</Tag>
                      <Typography.Text code>{specPath(p.path)}</Typography.Text> {p.message}
                    </List.Item>
                  )}
                />
              )}
            </Card>
          )}
        </Flex>
        <div style={{ width: 340, maxWidth: '100%', flex: 'none' }}>
          <RulePreview d={d} onRows={onRows} />
        </div>
      </Flex>
    </Flex>
  );
}
