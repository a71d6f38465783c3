import { CheckCircleOutlined, FlagOutlined, PlayCircleOutlined, SolutionOutlined } from '@ant-design/icons';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { Tag, Tooltip, theme } from 'antd';
import type { LocalizedText } from '../../api/types';
import { useI18n } from '../../i18n/useI18n';
import type { State } from './graph';

/** What a state node shows. */
export interface StateNodeData extends Record<string, unknown> {
  state: State;
  initial: boolean;
  problems: string[];
}

export type StateNodeType = Node<StateNodeData, 'state'>;

function assigneeCount(s: State): number {
  return s.approval?.assignees.length ?? 0;
}

/** A state: its label and key, its kind (start, approval, end), and its problems in red. */
export function StateNode({ data, selected }: NodeProps<StateNodeType>) {
  const { t, text } = useI18n();
  const { token } = theme.useToken();
  const s = data.state;
  const type = s.type ?? 'normal';
  const color = type === 'approval' ? token.colorWarning : type === 'final' ? token.colorSuccess : token.colorPrimary;
  const bad = data.problems.length > 0;
  const icon = data.initial ? <PlayCircleOutlined /> : type === 'approval' ? <SolutionOutlined /> : type === 'final' ? <CheckCircleOutlined /> : <FlagOutlined />;
  const node = (
    <div
      data-testid={`state-${s.key}`}
      style={{
        minWidth: 150,
        padding: '8px 12px',
        borderRadius: type === 'final' ? 24 : 8,
        border: `2px solid ${bad ? token.colorError : selected ? token.colorPrimary : color}`,
        background: token.colorBgContainer,
        boxShadow: selected ? token.boxShadow : undefined,
      }}
    >
      <Handle type="target" position={Position.Top} style={{ width: 10, height: 10 }} />
      <div style={{ display: 'flex', gap: 6, alignItems: 'center', color }}>
        {icon}
        <strong style={{ color: token.colorText }}>{text(s.label as LocalizedText | undefined) || s.key}</strong>
      </div>
      <div style={{ fontSize: 11, color: token.colorTextSecondary }}>
        {s.key}
        {type === 'approval' && ` · ${t('builder.flow.approvers', { n: assigneeCount(s) })}`}
      </div>
      {data.initial && <Tag color="blue">{t('builder.flow.initial')}</Tag>}
      {type !== 'final' && <Handle type="source" position={Position.Bottom} style={{ width: 10, height: 10 }} />}
    </div>
  );
  return bad ? <Tooltip title={data.problems.join('; ')}>{node}</Tooltip> : node;
}
