import { Alert, Form, Input, Modal, Select, type ButtonProps } from 'antd';
import { useEffect, useState } from 'react';
import type { FieldDef } from '../api/formTypes';
import { ApiError } from '../api/problem';
import type { LocalizedText } from '../api/types';
import { fieldTypeUI } from '../extensions/fieldTypes/registry';
import type { MessageKey } from '../i18n/messages';
import { useI18n } from '../i18n/useI18n';
import { decide, fireTransition, withdraw, type ApprovalMode, type Decision } from './api';
import { tasksChanged } from './events';
import { explain } from './explain';
import { UserPicker } from './UserPicker';

/** What the dialog is asked to do. */
export type DialogRequest =
  | { kind: 'transition'; trigger: string; label: LocalizedText; comment: 'none' | 'optional' | 'required' }
  | { kind: 'withdraw' }
  | { kind: Decision; taskId: string; returnTo?: string[]; step?: number; mode?: ApprovalMode };

/** The record the request acts on. */
export interface DialogTarget {
  app: string;
  form: string;
  record: string;
  /** The form's attachment field, which uploads go through; none: no attachments. */
  attachmentField?: FieldDef;
}

interface Props {
  request: DialogRequest | undefined;
  target: DialogTarget | undefined;
  /** A state key's label. */
  stateLabel: (key: string) => string;
  /** People to offer for delegate and add-signer. */
  people: { id: string; name: string }[];
  onClose: () => void;
  /** Called after the server accepted the request. */
  onDone: () => void;
}

interface Values {
  comment?: string;
  files?: unknown;
  user?: string;
  target?: string;
}

const MAX_COMMENT = 2000;

const TITLES: Record<Exclude<DialogRequest['kind'], 'transition'>, MessageKey> = {
  withdraw: 'workflow.action.withdraw',
  approve: 'workflow.action.approve',
  reject: 'workflow.action.reject',
  return: 'workflow.action.return',
  delegate: 'workflow.action.delegate',
  'add-signer': 'workflow.action.add-signer',
};

/** The ids of uploaded file references ({id, name, ...}). */
function fileIds(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((f) => (f && typeof f === 'object' && 'id' in f ? String((f as { id: unknown }).id) : '')).filter(Boolean);
}

/** Where the server's field error paths go in the dialog. */
function fieldOf(path: string): keyof Values | undefined {
  if (path === 'comment') return 'comment';
  if (path === 'user') return 'user';
  if (path === 'to' || path === 'step') return 'target';
  if (path.startsWith('attachments')) return 'files';
  return undefined;
}

/**
 * One dialog for every workflow action: a transition, withdrawing, and the
 * decisions on a task. It asks for a comment (required when the
 * transition says so), files through the form's attachment field, the
 * user to delegate to or add, and the state or step to return to; the
 * server's field errors land at their field.
 */
export function DecisionDialog({ request, target, stateLabel, people, onClose, onDone }: Props) {
  const { t, text } = useI18n();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!request) return;
    form.resetFields();
    setFailure(undefined);
    if (request.kind === 'return') {
      const first = request.returnTo?.[0];
      form.setFieldsValue({ target: first ? `state:${first}` : request.step && request.step > 1 ? 'step:1' : undefined });
    }
  }, [request, form]);

  if (!request || !target) return null;
  const kind = request.kind;
  const title = kind === 'transition' ? text(request.label) || request.trigger : t(TITLES[kind]);
  const commentRequired = kind === 'transition' && request.comment === 'required';
  const showComment = !(kind === 'transition' && request.comment === 'none');
  const FileInput = target.attachmentField ? fieldTypeUI('attachment').Input : undefined;
  const returnOptions =
    kind === 'return'
      ? [
          ...(request.returnTo ?? []).map((s) => ({ value: `state:${s}`, label: stateLabel(s) })),
          ...(request.mode === 'sequential' && request.step && request.step > 1
            ? Array.from({ length: request.step - 1 }, (_, i) => ({ value: `step:${i + 1}`, label: t('workflow.returnStep', { step: i + 1 }) }))
            : []),
        ]
      : [];

  const submit = async (v: Values) => {
    setBusy(true);
    setFailure(undefined);
    const input = { comment: v.comment, attachments: fileIds(v.files) };
    try {
      if (kind === 'transition') await fireTransition(target.app, target.form, target.record, request.trigger, input);
      else if (kind === 'withdraw') await withdraw(target.app, target.form, target.record, input);
      else {
        const extra: { user?: string; to?: string; step?: number } = {};
        if (kind === 'delegate' || kind === 'add-signer') extra.user = v.user;
        if (kind === 'return' && v.target?.startsWith('state:')) extra.to = v.target.slice('state:'.length);
        if (kind === 'return' && v.target?.startsWith('step:')) extra.step = Number(v.target.slice('step:'.length));
        await decide(request.taskId, kind, { ...input, ...extra });
      }
      tasksChanged();
      onDone();
    } catch (err) {
      const placed = err instanceof ApiError ? err.fieldErrors.filter((fe) => fieldOf(fe.path)) : [];
      if (placed.length > 0) {
        form.setFields(placed.map((fe) => ({ name: fieldOf(fe.path) as keyof Values, errors: [fe.message] })));
      } else {
        setFailure(explain(err, t));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={title}
      okText={t('workflow.submit')}
      cancelText={t('workflow.cancel')}
      okButtonProps={{ danger: kind === 'reject', 'data-testid': 'decision-submit' } as ButtonProps}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={commentRequired || kind === 'delegate' || kind === 'add-signer'}>
        {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} data-testid="decision-error" />}
        {(kind === 'delegate' || kind === 'add-signer') && (
          <Form.Item name="user" label={t(kind === 'delegate' ? 'workflow.delegateTo' : 'workflow.signer')} rules={[{ required: true, message: t('workflow.userRequired') }]}>
            <UserPicker people={people} />
          </Form.Item>
        )}
        {kind === 'return' && returnOptions.length > 0 && (
          <Form.Item name="target" label={t('workflow.returnTo')}>
            <Select options={returnOptions} />
          </Form.Item>
        )}
        {showComment && (
          <Form.Item name="comment" label={t('workflow.comment')} rules={commentRequired ? [{ required: true, whitespace: true, message: t('workflow.commentRequired') }] : []}>
            <Input.TextArea rows={3} maxLength={MAX_COMMENT} showCount placeholder={t('workflow.commentPlaceholder')} data-testid="decision-comment" />
          </Form.Item>
        )}
        {FileInput && target.attachmentField && (
          <Form.Item name="files" label={t('workflow.attachments')}>
            <FileInputItem Input={FileInput} field={target.attachmentField} app={target.app} form={target.form} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** The attachment field's upload control as a form item's child. */
function FileInputItem({
  Input: FileInput,
  field,
  app,
  form,
  value,
  onChange,
}: {
  Input: NonNullable<ReturnType<typeof fieldTypeUI>['Input']>;
  field: FieldDef;
  app: string;
  form: string;
  value?: unknown;
  onChange?: (v: unknown) => void;
}) {
  return <FileInput field={{ ...field, required: false }} value={value ?? null} onChange={(v) => onChange?.(v)} ctx={{ app, form }} />;
}
