import { adminToken } from './server';

/** Calls the API as the admin with a bearer token; non-2xx answers throw with the body. */
export class AdminApi {
  private constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  static async connect(url: string): Promise<AdminApi> {
    return new AdminApi(url, await adminToken(url));
  }

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Creates and publishes a definition. */
  async define(app: string, kind: string, key: string, spec: object): Promise<void> {
    const d = await this.call<{ version: number }>('POST', `/api/apps/${app}/meta/${kind}/${key}`, { spec });
    await this.call('POST', `/api/apps/${app}/meta/${kind}/${key}/publish`, undefined, { 'If-Match': String(d.version) });
  }

  async bulkCreate(app: string, form: string, rows: object[]): Promise<string[]> {
    const res = await this.call<{ items: { status: number; id: string; error?: unknown }[] }>('POST', `/api/apps/${app}/forms/${form}/records/bulk`, {
      items: rows.map((data) => ({ op: 'create', data })),
    });
    const bad = res.items.find((i) => i.status !== 201);
    if (bad) throw new Error(`bulk create: ${JSON.stringify(bad)}`);
    return res.items.map((i) => i.id);
  }
}

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** A small shop: members with most field types, orders pointing at members. */
export const shopApp = {
  title: t('门店会员', 'Shop members'),
  navigation: [
    { key: 'members', title: t('会员列表', 'Members'), target: { kind: 'view', key: 'members' } },
    { key: 'orders', title: t('订单', 'Orders'), target: { kind: 'view', key: 'orders' } },
  ],
};

export const membersForm = {
  title: t('会员', 'Member'),
  titleField: 'name',
  fields: [
    { key: 'name', type: 'text', label: t('姓名', 'Name'), required: true },
    { key: 'phone', type: 'phone', label: t('手机号', 'Mobile'), accept: 'mobile', unique: true },
    {
      key: 'tier',
      type: 'select',
      label: t('等级', 'Tier'),
      options: [
        { value: 'normal', label: t('普通', 'Normal') },
        { value: 'gold', label: t('金卡', 'Gold'), color: 'gold' },
      ],
    },
    { key: 'balance', type: 'money', label: t('余额', 'Balance'), min: 0 },
    { key: 'birthday', type: 'date', label: t('生日', 'Birthday') },
    { key: 'vip', type: 'checkbox', label: t('VIP', 'VIP') },
    { key: 'note', type: 'textarea', label: t('备注', 'Note'), visibleWhen: { vip: true }, requiredWhen: { balance: { $gte: 100000 } } },
    { key: 'home', type: 'address', label: t('住址', 'Home') },
    { key: 'spent', type: 'rollup', label: t('累计消费', 'Spent'), form: 'orders', via: 'member', op: 'sum', field: 'amount', kind: 'int' },
  ],
};

export const ordersForm = {
  title: t('订单', 'Order'),
  titleField: 'no',
  fields: [
    { key: 'no', type: 'text', label: t('单号', 'Number'), required: true },
    { key: 'member', type: 'relation', label: t('会员', 'Member'), form: 'members' },
    { key: 'amount', type: 'money', label: t('金额', 'Amount') },
    {
      key: 'items',
      type: 'subtable',
      label: t('明细', 'Items'),
      fields: [
        { key: 'sku', type: 'text', label: t('商品', 'SKU'), required: true },
        { key: 'qty', type: 'number', label: t('数量', 'Qty'), min: 1 },
      ],
    },
  ],
};

export const membersView = {
  title: t('全部会员', 'All members'),
  form: 'members',
  columns: [{ field: 'name' }, { field: 'phone' }, { field: 'tier' }, { field: 'balance' }, { field: 'birthday' }, { field: 'spent' }],
  sort: 'phone',
};

export const ordersView = {
  title: t('全部订单', 'All orders'),
  form: 'orders',
  columns: [{ field: 'no' }, { field: 'member' }, { field: 'member.phone' }, { field: 'amount' }],
};

/** 25 members (5 gold), phones 13900000000 + i, so a page of 20 leaves 5 on the next. */
export function memberRows(): object[] {
  return Array.from({ length: 25 }, (_, i) => ({
    name: `会员${String(i + 1).padStart(2, '0')}`,
    phone: String(13900000000 + i + 1),
    tier: i % 5 === 0 ? 'gold' : 'normal',
    balance: `${i + 1}.50`,
    birthday: `1990-01-${String((i % 28) + 1).padStart(2, '0')}`,
  }));
}

/** Installs the shop app with its members and a few orders. */
export async function installShop(api: AdminApi): Promise<{ members: string[] }> {
  await api.define('shop', 'app', 'shop', shopApp);
  await api.define('shop', 'form', 'members', membersForm);
  await api.define('shop', 'form', 'orders', ordersForm);
  await api.define('shop', 'view', 'members', membersView);
  await api.define('shop', 'view', 'orders', ordersView);
  const members = await api.bulkCreate('shop', 'members', memberRows());
  await api.bulkCreate('shop', 'orders', [
    { no: 'SO-001', member: members[0], amount: '100', items: [{ sku: 'A1', qty: 2 }] },
    { no: 'SO-002', member: members[0], amount: '20.5' },
  ]);
  return { members };
}
