import '@xyflow/react/dist/style.css';
import { CheckCircleOutlined, FlagOutlined, SolutionOutlined } from '@ant-design/icons';
import { Background, Controls, MarkerType, ReactFlow, applyNodeChanges, type Connection, type Edge, type NodeChange } from '@xyflow/react';
import { Button, Card, Empty, Flex, Form, Select, Space } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getDefinition, listDefinitions } from '../../api/meta';
import type { FormSpec } from '../../api/formTypes';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { addState, addTransition, autoLayout, fromList, moveStates, removeState, removeTransition, renameState, updateState, updateTransition, validateFlow, type FlowProblem, type FlowSpec, type Layout, type StateType } from './graph';
import { StateNode, type StateNodeType } from './StateNode';
import { StatePanel } from './StatePanel';
import { TransitionPanel } from './TransitionPanel';

const nodeTypes = { state: StateNode };

type Selection = { state: string } | { transition: number } | undefined;

/** The server's problems by state key or transition index (paths states[i]..., transitions[i]...). */
function serverProblems(spec: FlowSpec, problems: { path: string; message: string }[]): FlowProblem[] {
  const out: FlowProblem[] = [];
  for (const p of problems) {
    const s = /^states\[(\d+)\]/.exec(p.path);
    const tr = /^transitions\[(\d+)\]/.exec(p.path);
    const key = s ? spec.states[Number(s[1])]?.key : undefined;
    if (key) out.push({ state: key, code: 'unknownState', params: { message: p.message } });
    else if (tr) out.push({ transition: Number(tr[1]), code: 'unknownState', params: { message: p.message } });
  }
  return out;
}

/**
 * The workflow designer: states as nodes (drag a node's bottom handle to
 * another node to add a transition), the selected state's or transition's
 * properties on the right, and the graph's problems (unreachable states,
 * missing exits, approvals without their transitions) on the nodes before
 * publishing.
 */
export function FlowDesigner({ d }: { d: Designer<FlowSpec> }) {
  const { t, text } = useI18n();
  const spec = d.spec;
  // Where states were dropped lives in the definition (layout), so the
  // drawing is the same in every browser and travels with an export.
  const positions = spec.layout;
  // The layout the nodes were last drawn from: a state it placed that the
  // current one does not (an undone first move) goes back to its automatic place.
  const drawnFrom = useRef(positions);
  const [selection, setSelection] = useState<Selection>();
  const [nodes, setNodes] = useState<StateNodeType[]>([]);
  const { data: forms } = useAsync(() => listDefinitions(d.app, 'form'), [d.app]);
  const { data: formDef } = useAsync(() => (spec.form ? getDefinition<FormSpec>(d.app, 'form', spec.form) : Promise.resolve(undefined)), [d.app, spec.form]);
  const { data: roleDefs } = useAsync(() => listDefinitions(d.app, 'role').catch(() => []), [d.app]);
  const roles = (roleDefs ?? []).map((r) => r.key);

  const problems = useMemo(() => [...validateFlow(spec), ...serverProblems(spec, d.problems)], [spec, d.problems]);
  const describe = useCallback((p: FlowProblem) => (p.params?.message ? p.params.message : t(`builder.flow.problem.${p.code}` as MessageKey, p.params)), [t]);
  const stateProblems = (key: string) => problems.filter((p) => p.state === key).map(describe);
  const transitionProblems = (i: number) => problems.filter((p) => p.transition === i).map(describe);
  const blockers = validateFlow(spec).map((p) => (p.state ? `${p.state}: ${describe(p)}` : p.transition !== undefined ? `${spec.transitions[p.transition]?.trigger}: ${describe(p)}` : describe(p)));

  // Nodes follow the spec; React Flow's own state (size, selection, drags) is kept.
  useEffect(() => {
    const auto = autoLayout(spec);
    const before = drawnFrom.current;
    drawnFrom.current = positions;
    setNodes((prev) => {
      const byId = new Map(prev.map((n) => [n.id, n]));
      return spec.states.map((s) => {
        const old = byId.get(s.key);
        const n: StateNodeType = {
          id: s.key,
          type: 'state',
          position: positions?.[s.key] ?? (before?.[s.key] ? undefined : old?.position) ?? auto[s.key] ?? { x: 0, y: 0 },
          data: { state: s, initial: spec.initial === s.key, problems: problems.filter((p) => p.state === s.key).map(describe) },
          selected: selection !== undefined && 'state' in selection && selection.state === s.key,
        };
        if (old?.measured) n.measured = old.measured;
        return n;
      });
    });
  }, [spec, positions, problems, describe, selection]);

  const edges = useMemo<Edge[]>(
    () =>
      spec.transitions.flatMap((tr, i) =>
        fromList(tr).map((from) => ({
          id: `t${i}:${from}`,
          source: from,
          target: tr.to,
          label: text(tr.label) || tr.trigger,
          data: { index: i },
          markerEnd: { type: MarkerType.ArrowClosed },
          selected: selection !== undefined && 'transition' in selection && selection.transition === i,
          style: transitionProblems(i).length > 0 ? { stroke: '#ff4d4f' } : undefined,
          animated: !!tr.guard,
        })),
      ),
    // transitionProblems follows problems.
    [spec.transitions, selection, problems, text],
  );

  const onNodesChange = (changes: NodeChange<StateNodeType>[]) => {
    // Selection is the designer's own (clicks below), not React Flow's.
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove' && c.type !== 'select'), ns));
    const moved: Layout = {};
    for (const c of changes) if (c.type === 'position' && c.position && !c.dragging) moved[c.id] = c.position;
    if (Object.keys(moved).length > 0) d.update((s) => moveStates(s, moved));
  };
  const onConnect = (c: Connection) => {
    if (!c.source || !c.target) return;
    const r = addTransition(spec, c.source, c.target);
    d.set(r.spec);
    setSelection({ transition: r.index });
  };
  const add = (type: StateType) => {
    const r = addState(spec, type, { 'zh-CN': t(`builder.flow.new.${type}` as MessageKey), en: type });
    d.set(r.spec);
    setSelection({ state: r.key });
  };

  const selState = selection && 'state' in selection ? spec.states.find((s) => s.key === selection.state) : undefined;
  const selTransition = selection && 'transition' in selection && spec.transitions[selection.transition] ? selection.transition : undefined;

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} blockers={blockers} />
      {/* Side by side on a wide screen; on a phone the properties go under the graph. */}
      <Flex gap={12} align="start" wrap>
        <div style={{ flex: '1 1 480px', minWidth: 0 }}>
          <Card size="small" styles={{ body: { padding: 8 } }}>
            <Flex gap={8} wrap align="center" style={{ marginBottom: 8 }}>
              <Space wrap>
                <Button icon={<FlagOutlined />} onClick={() => add('normal')} data-testid="add-state">
                  {t('builder.flow.addState')}
                </Button>
                <Button icon={<SolutionOutlined />} onClick={() => add('approval')} data-testid="add-approval">
                  {t('builder.flow.addApproval')}
                </Button>
                <Button icon={<CheckCircleOutlined />} onClick={() => add('final')} data-testid="add-final">
                  {t('builder.flow.addFinal')}
                </Button>
              </Space>
              <span style={{ flex: 1 }} />
              <Form.Item label={t('builder.dataForm')} style={{ margin: 0 }}>
                <Select value={spec.form} onChange={(form: string) => d.set({ ...spec, form })} options={(forms ?? []).map((f) => ({ value: f.key, label: text(f.spec.title) || f.key }))} style={{ width: 180 }} aria-label={t('builder.dataForm')} />
              </Form.Item>
            </Flex>
            <div style={{ height: 'calc(100vh - 260px)', minHeight: 420 }} data-testid="flow-canvas">
              <ReactFlow
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                onNodesChange={onNodesChange}
                onConnect={onConnect}
                onNodeClick={(_e, n) => setSelection({ state: n.id })}
                onEdgeClick={(_e, e) => setSelection({ transition: (e.data as { index: number }).index })}
                onNodesDelete={(ns) => ns.forEach((n) => d.update((s) => removeState(s, n.id)))}
                onEdgesDelete={(es) => {
                  const gone = [...new Set(es.map((e) => (e.data as { index: number }).index))].sort((a, b) => b - a);
                  d.update((s) => gone.reduce((acc, i) => removeTransition(acc, i), s));
                  setSelection(undefined);
                }}
                onPaneClick={() => setSelection(undefined)}
                fitView
                fitViewOptions={{ maxZoom: 1 }}
                proOptions={{ hideAttribution: true }}
              >
                <Background />
                <Controls showInteractive={false} />
              </ReactFlow>
            </div>
          </Card>
        </div>
        <Card size="small" style={{ width: 380, maxWidth: '100%', flex: 'none', maxHeight: 'calc(100vh - 160px)', overflow: 'auto' }} data-testid="flow-properties">
          {selState ? (
            <StatePanel
              key={selState.key}
              spec={spec}
              s={selState}
              fields={formDef?.spec.fields ?? []}
              roles={roles}
              problems={stateProblems(selState.key)}
              update={(patch, group) => d.update((s) => updateState(s, selState.key, patch), group)}
              rename={(to) => {
                d.set(renameState(spec, selState.key, to));
                setSelection({ state: to });
              }}
              setInitial={() => d.set({ ...spec, initial: selState.key })}
              remove={() => {
                d.set(removeState(spec, selState.key));
                setSelection(undefined);
              }}
            />
          ) : selTransition !== undefined ? (
            <TransitionPanel
              key={selTransition}
              app={d.app}
              spec={spec}
              index={selTransition}
              form={formDef?.spec}
              roles={roles}
              problems={transitionProblems(selTransition)}
              update={(patch, group) => d.update((s) => updateTransition(s, selTransition, patch), group)}
              remove={() => {
                d.set(removeTransition(spec, selTransition));
                setSelection(undefined);
              }}
            />
          ) : (
            <Form layout="vertical" size="small" component="div">
              <Form.Item label={t('builder.form.label')}>
                <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'flow:title')} onBlur={d.seal} label={t('builder.form.label')} />
              </Form.Item>
              <Empty description={t('builder.flow.hint')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
            </Form>
          )}
        </Card>
      </Flex>
    </Flex>
  );
}
