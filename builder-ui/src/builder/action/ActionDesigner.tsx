import { Alert, Button, Card, Flex, Form, InputNumber, Select, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { useActionText } from './messages';
import { linePosition, paramProblems, paramsOf, schemaWith, type ActionSpec, type Param } from './model';
import { ParamsEditor } from './ParamsEditor';
import { ScriptEditor, type LineMark } from './ScriptEditor';
import { TestPanel } from './TestPanel';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The action designer: name and description, the input parameters as a
 * list of typed fields (kept as the input JSON Schema), the role the
 * script runs as, its intended roles and time limit, and the script in a
 * code editor that marks the server's compile errors at their lines after
 * a save; and a test run of the draft or published version whose writes
 * are rolled back.
 */
export function ActionDesigner({ d }: { d: Designer<ActionSpec> }) {
  const a = useActionText();
  const { text } = useI18n();
  const spec = d.spec;
  const [tab, setTab] = useState('design');
  const [goTo, setGoTo] = useState<{ line: number; seq: number }>();
  const [runMark, setRunMark] = useState<LineMark>();
  const { data: roleDefs } = useAsync(() => listDefinitions(d.app, 'role'), [d.app]);
  const roles = (roleDefs ?? []).map((r) => ({ value: r.key, label: `${text(r.spec.title) || r.key} (${r.key})` }));

  // The parameters are edited here and written to the schema only while
  // valid: two parameters of one name would otherwise merge into one.
  const [params, setParams] = useState<Param[]>(() => paramsOf(spec.input));
  const written = useRef(spec.input);
  useEffect(() => {
    if (!same(written.current, spec.input)) {
      written.current = spec.input;
      setParams(paramsOf(spec.input)); // undo, redo, reload
    }
  }, [spec.input]);
  const problems = useMemo(() => paramProblems(params), [params]);
  const changeParams = (next: Param[], group?: string) => {
    setParams(next);
    if (paramProblems(next).length === 0) {
      const input = schemaWith(spec.input, next);
      written.current = input;
      d.set({ ...spec, input }, group);
    }
  };
  const byIndex = useMemo(() => {
    const m = new Map<number, string[]>();
    for (const p of problems) {
      const name = params[p.index]?.name ?? '';
      m.set(p.index, [...(m.get(p.index) ?? []), a(`problem.${p.problem}`, { n: p.index + 1, name })]);
    }
    return m;
  }, [problems, params, a]);

  // The server's problems on the script (a compile error after a save)
  // and the error of the last test run, at their lines.
  const marks = useMemo<LineMark[]>(() => {
    const out: LineMark[] = [];
    for (const p of d.problems) {
      const pos = p.path === 'script' ? linePosition(p.message) : undefined;
      if (pos) out.push({ line: pos.line, message: p.message });
    }
    if (runMark) out.push(runMark);
    return out;
  }, [d.problems, runMark]);
  const scriptProblems = d.problems.filter((p) => p.path === 'script');
  const show = (line: number) => {
    setTab('design');
    setGoTo((g) => ({ line, seq: (g?.seq ?? 0) + 1 }));
  };

  const blockers = [...byIndex.values()].flat();
  if (!spec.script.trim()) blockers.push(a('problem.script'));

  const design = (
    <Flex vertical gap={12}>
      <Card size="small" title={a('basics')}>
        <Flex gap={12} wrap>
          <div style={{ flex: '1 1 260px', minWidth: 0 }}>
            <Typography.Text type="secondary">{a('title')}</Typography.Text>
            <LocalizedInput value={spec.title} onChange={(v) => d.set({ ...spec, title: v ?? '' }, 'action:title')} onBlur={d.seal} label={a('title')} testId="action-title" />
          </div>
          <div style={{ flex: '1 1 260px', minWidth: 0 }}>
            <Typography.Text type="secondary">{a('description')}</Typography.Text>
            <LocalizedInput value={spec.description} onChange={(v) => d.set({ ...spec, description: v }, 'action:description')} onBlur={d.seal} label={a('description')} />
          </div>
        </Flex>
      </Card>
      <Card size="small" title={a('params')}>
        <ParamsEditor params={params} onChange={changeParams} problems={byIndex} onBlur={d.seal} />
      </Card>
      <Card size="small" title={a('run')}>
        <Form layout="vertical" size="small" component="div">
          <Flex gap={12} wrap>
            <Form.Item label={a('runAs')} help={a('runAsHint')} style={{ flex: '1 1 220px', minWidth: 0 }}>
              <Select
                allowClear
                value={spec.runAs}
                onChange={(runAs?: string) => d.set({ ...spec, runAs: runAs || undefined })}
                options={roles}
                placeholder={a('runAsCaller')}
                aria-label={a('runAs')}
                data-testid="action-run-as"
              />
            </Form.Item>
            <Form.Item label={a('roles')} help={a('rolesHint')} style={{ flex: '1 1 220px', minWidth: 0 }}>
              <Select
                mode="multiple"
                allowClear
                value={spec.roles ?? []}
                onChange={(rs: string[]) => d.set({ ...spec, roles: rs.length > 0 ? rs : undefined })}
                options={roles}
                aria-label={a('roles')}
                data-testid="action-roles"
              />
            </Form.Item>
            <Form.Item label={a('timeout')} style={{ flex: '0 1 160px' }}>
              <InputNumber min={1} max={10000} precision={0} value={spec.timeoutMs ?? null} placeholder="2000" onChange={(v) => d.set({ ...spec, timeoutMs: v ?? undefined }, 'action:timeout')} addonAfter="ms" style={{ width: '100%' }} aria-label={a('timeout')} />
            </Form.Item>
          </Flex>
        </Form>
      </Card>
      <Card size="small" title={a('script')}>
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{a('scriptHint')}</Typography.Text>
          <ScriptEditor value={spec.script} onChange={(script) => d.set({ ...spec, script }, 'action:script')} onBlur={d.seal} marks={marks} goTo={goTo} label={a('scriptLabel')} />
          {(scriptProblems.length > 0 || runMark) && (
            <Alert
              type="error"
              showIcon
              data-testid="script-problems"
              message={a('scriptErrors')}
              description={
                <Flex vertical gap={4}>
                  {[...scriptProblems.map((p) => p.message), ...(runMark ? [runMark.message] : [])].map((m, i) => {
                    const pos = linePosition(m) ?? (runMark && m === runMark.message ? { line: runMark.line } : undefined);
                    return (
                      <span key={i}>
                        {pos && (
                          <Button size="small" type="link" onClick={() => show(pos.line)} style={{ padding: 0, marginRight: 8 }}>
                            {a('goToLine', { line: pos.line })}
                          </Button>
                        )}
                        {m}
                      </span>
                    );
                  })}
                </Flex>
              }
            />
          )}
        </Flex>
      </Card>
    </Flex>
  );

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} blockers={blockers} />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'design', label: a('design'), children: design },
          {
            key: 'test',
            label: a('test'),
            children: (
              <TestPanel
                d={d}
                onResult={(r) => setRunMark(r.error?.line ? { line: r.error.line, message: r.error.message } : undefined)}
                onShowLine={show}
              />
            ),
          },
        ]}
      />
    </Flex>
  );
}
