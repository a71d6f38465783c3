import { Space, TreeSelect } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { unitLoader, type Unit } from '../../records/resolve';
import { idsOf, useLoaded } from '../../records/useLoaded';
import { Empty, idType, usePlaceholder } from './shared';
import type { DisplayProps, InputProps } from './types';

interface Node {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf?: boolean;
}

function nodeOf(u: Unit): Node {
  const n: Node = { id: u.id, value: u.id, title: u.name };
  if (u.parentId) n.pId = u.parentId;
  return n;
}

/** Picks org units from the tree, loading each level when it is opened. */
function OrgunitField({ field, value, onChange, disabled, id }: InputProps) {
  const placeholder = usePlaceholder(field);
  const multiple = field.multiple === true;
  const ids = idsOf(value);
  const known = useLoaded(unitLoader, ids);
  const [nodes, setNodes] = useState<Node[]>([]);

  const load = useCallback(async (parent?: string) => {
    const units = await api.get<Unit[]>('/api/org/units', { query: { parent } });
    for (const u of units) unitLoader.prime(u.id, u);
    setNodes((prev) => {
      const seen = new Set(prev.map((n) => n.id));
      const next = prev.map((n) => (n.id === parent && units.length === 0 ? { ...n, isLeaf: true } : n));
      for (const u of units) if (!seen.has(u.id)) next.push(nodeOf(u));
      return next;
    });
  }, []);

  useEffect(() => {
    void load().catch(() => undefined);
  }, [load]);

  // Selected units outside the loaded levels still show their names.
  const data = [...nodes];
  for (const uid of ids) {
    const u = known.get(uid);
    if (!data.some((n) => n.id === uid)) data.push({ id: uid, value: uid, title: u?.name ?? uid, isLeaf: true });
  }

  return (
    <TreeSelect
      id={id}
      treeDataSimpleMode
      treeData={data}
      loadData={(n) => load(String(n.value)).catch(() => undefined)}
      multiple={multiple}
      value={multiple ? ids : ids[0]}
      onChange={(v) => onChange(v ?? null)}
      disabled={disabled}
      placeholder={placeholder}
      allowClear
      showSearch
      treeNodeFilterProp="title"
      style={{ width: '100%' }}
    />
  );
}

function OrgunitDisplay({ value }: DisplayProps) {
  const ids = idsOf(value);
  const known = useLoaded(unitLoader, ids);
  if (ids.length === 0) return <Empty />;
  return (
    <Space size={4} wrap>
      {ids.map((uid) => (
        <span key={uid}>{known.get(uid)?.name ?? uid}</span>
      ))}
    </Space>
  );
}

/** orgunit: ids of org units (stores, departments). */
export const orgunit = idType('orgunit', OrgunitField, OrgunitDisplay);
