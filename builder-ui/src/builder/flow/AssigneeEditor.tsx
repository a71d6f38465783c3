import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Input, InputNumber, Select } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import type { Assignee } from './graph';

type Kind = 'manager' | 'role' | 'unit' | 'field' | 'user';
const KINDS: Kind[] = ['manager', 'role', 'unit', 'field', 'user'];

function kindOf(a: Assignee): Kind {
  return (Object.keys(a)[0] as Kind) ?? 'manager';
}

function fresh(kind: Kind, fields: FieldDef[], roles: string[]): Assignee {
  switch (kind) {
    case 'role':
      return { role: roles[0] ?? '' };
    case 'unit':
      return { unit: { field: fields.find((f) => f.type === 'orgunit')?.key ?? '', position: 'store_manager' } };
    case 'field':
      return { field: fields.find((f) => f.type === 'user')?.key ?? '' };
    case 'user':
      return { user: '' };
  }
  return { manager: { levels: 1 } };
}

interface Props {
  value: Assignee[];
  onChange: (v: Assignee[]) => void;
  /** Fields of the flow's form (org unit and user fields name approvers). */
  fields: FieldDef[];
  roles: string[];
}

/**
 * Who approves: the submitter's managers, holders of a role, holders of a
 * position in the record's store (or its region: up 1), the users in a
 * user field, or a named user. In sequential mode each entry is one step.
 */
export function AssigneeEditor({ value, onChange, fields, roles }: Props) {
  const { t, text } = useI18n();
  const at = (i: number, a: Assignee) => onChange(value.map((x, j) => (j === i ? a : x)));
  const fieldOptions = (type: string) => fields.filter((f) => f.type === type).map((f) => ({ value: f.key, label: text(f.label) || f.key }));
  return (
    <Flex vertical gap={8} data-testid="assignees">
      {value.map((a, i) => {
        const kind = kindOf(a);
        return (
          <Flex key={i} gap={4} wrap align="center" style={{ borderInlineStart: '2px solid #eee', paddingInlineStart: 6 }}>
            <Select value={kind} onChange={(k: Kind) => at(i, fresh(k, fields, roles))} options={KINDS.map((k) => ({ value: k, label: t(`builder.flow.assignee.${k}` as MessageKey) }))} style={{ width: 130 }} aria-label={t('builder.flow.assigneeKind')} />
            {'manager' in a && <InputNumber min={1} max={10} value={a.manager.levels ?? 1} onChange={(levels) => at(i, { manager: { levels: levels ?? 1 } })} addonAfter={t('builder.flow.levels')} style={{ width: 120 }} />}
            {'role' in a && <Select showSearch value={a.role || undefined} onChange={(role: string) => at(i, { role })} options={roles.map((r) => ({ value: r, label: r }))} style={{ width: 140 }} aria-label={t('builder.flow.assignee.role')} />}
            {'field' in a && <Select value={a.field || undefined} onChange={(field: string) => at(i, { field })} options={fieldOptions('user')} style={{ width: 140 }} aria-label={t('builder.flow.assignee.field')} />}
            {'user' in a && <Input value={a.user} onChange={(e) => at(i, { user: e.target.value })} placeholder={t('builder.flow.userId')} style={{ width: 140 }} />}
            {'unit' in a && (
              <>
                <Select value={a.unit.field || undefined} onChange={(field: string) => at(i, { unit: { ...a.unit, field } })} options={fieldOptions('orgunit')} placeholder={t('builder.flow.unitField')} style={{ width: 120 }} aria-label={t('builder.flow.unitField')} />
                <Input value={a.unit.position} onChange={(e) => at(i, { unit: { ...a.unit, position: e.target.value } })} placeholder="store_manager" style={{ width: 130 }} aria-label={t('builder.flow.position')} />
                <InputNumber min={0} max={10} value={a.unit.up ?? 0} onChange={(up) => at(i, { unit: { ...a.unit, up: up || undefined } })} addonBefore={t('builder.flow.up')} style={{ width: 110 }} />
              </>
            )}
            <Button type="text" danger icon={<DeleteOutlined />} disabled={value.length <= 1} onClick={() => onChange(value.filter((_x, j) => j !== i))} aria-label={t('builder.remove')} />
          </Flex>
        );
      })}
      <Button size="small" icon={<PlusOutlined />} onClick={() => onChange([...value, { manager: { levels: 1 } }])}>
        {t('builder.flow.addAssignee')}
      </Button>
    </Flex>
  );
}
