import type { AdminApi } from './fixture';

/** The password of the users the inbox tests create. */
export const USER_PASSWORD = 'Inbox-Passw0rd!';

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** A member upgrade request: who, why, and proof. */
export const upgradesForm = {
  title: t('会员升级申请', 'Upgrade request'),
  titleField: 'title',
  fields: [
    { key: 'title', type: 'text', label: t('申请事项', 'Request'), required: true },
    { key: 'member', type: 'relation', label: t('会员', 'Member'), form: 'members' },
    { key: 'reason', type: 'textarea', label: t('理由', 'Reason') },
    { key: 'proof', type: 'attachment', label: t('证明材料', 'Proof') },
  ],
};

/** Staff file requests and fire the flow's transitions; both test users hold it. */
export const upgradesRole = {
  title: t('升级申请人员', 'Upgrade staff'),
  permissions: [
    { kind: 'app', key: 'crm', actions: ['read'] },
    { kind: 'form', key: 'upgrades', actions: ['read', 'create', 'update'] },
    { kind: 'flow', key: 'upgrade', actions: ['read', 'transition'] },
    { kind: 'form', key: 'members', actions: ['read'] },
    { kind: 'view', key: '*', actions: ['read'] },
    { kind: 'page', key: '*', actions: ['read'] },
  ],
};

/** Draft, then the store manager (and whoever they add) approves within 16 working hours. */
export function upgradeFlow(approver: string) {
  return {
    title: t('会员升级审批', 'Upgrade approval'),
    form: 'upgrades',
    initial: 'draft',
    states: [
      { key: 'draft', label: t('草稿', 'Draft') },
      {
        key: 'review',
        label: t('店长审批', 'Manager review'),
        type: 'approval',
        approval: { mode: 'any', assignees: [{ user: approver }], returnTo: ['draft'] },
        sla: { hours: 16 },
      },
      { key: 'approved', label: t('已通过', 'Approved'), type: 'final' },
      { key: 'rejected', label: t('已拒绝', 'Rejected'), type: 'final' },
    ],
    transitions: [
      { trigger: 'submit', from: 'draft', to: 'review', label: t('提交审批', 'Submit') },
      { trigger: 'approve', from: 'review', to: 'approved' },
      { trigger: 'reject', from: 'review', to: 'rejected' },
    ],
  };
}

/** Creates a user of the crm app with the upgrade role; returns the id. */
async function user(api: AdminApi, username: string, displayName: string): Promise<string> {
  const u = await api.call<{ id: string }>('POST', '/api/users', {
    username,
    displayName,
    password: USER_PASSWORD,
    roles: [{ app: 'crm', role: 'e2e-upgrades' }],
  });
  return u.id;
}

/** The upgrade request form, its flow, a clerk who files and a manager who approves. */
export async function installUpgrades(api: AdminApi): Promise<{ clerk: string; manager: string }> {
  await api.define('crm', 'form', 'upgrades', upgradesForm);
  await api.define('crm', 'role', 'e2e-upgrades', upgradesRole);
  const clerk = await user(api, 'clerk.li', '李店员');
  const manager = await user(api, 'manager.wang', '王店长');
  await api.define('crm', 'flow', 'upgrade', upgradeFlow(manager));
  return { clerk, manager };
}
