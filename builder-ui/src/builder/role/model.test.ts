import { describe, expect, it } from 'vitest';
import { goFiles, repoFile } from '../testing/goSource';
import { buildScope, choose, entriesOf, fieldRules, GRANT_KINDS, grantCount, hasRight, matrixRows, parseScope, problemsByRow, readFieldRule, RIGHTS, setAllRights, setFieldRule, setRight, setScope, storeFieldRule, unitFields, type RoleSpec } from './model';

/** The CRM's store manager as shipped: the matrix must read and keep it. */
const storeManager = JSON.parse(repoFile('templates/crm-retail/roles/store-manager.json')) as RoleSpec & { key: string };

const clerk: RoleSpec = {
  title: '店员',
  permissions: [
    { kind: 'form', key: 'members', actions: ['read', 'update'], scope: { homeUnit: '$user.unit' }, fields: { phone: 'masked' } },
    { kind: 'action', key: 'checkout', actions: ['run'] },
    { kind: 'form', key: 'coupons', actions: ['read'] },
  ],
};

describe('role rights matrix', () => {
  it('offers every kind the role schema grants on, and only rights engine/access checks', () => {
    const schema = JSON.parse(repoFile('engine/meta/schemas/role.json')) as { properties: { permissions: { items: { properties: { kind: { enum: string[] } } } } } };
    expect([...GRANT_KINDS].sort()).toEqual([...schema.properties.permissions.items.properties.kind.enum].sort());
    const access = goFiles('engine/access').map((f) => f.text).join('\n');
    const known = [...access.matchAll(/\w+\s+Right = "(\w+)"/g)].map((m) => m[1]);
    expect(known.length).toBeGreaterThan(5);
    for (const rights of Object.values(RIGHTS)) for (const r of rights) expect(known).toContain(r);
  });

  it('reads the rights of the shipped store manager per row', () => {
    expect(hasRight(storeManager, 'form', 'members', 'export')).toBe(true);
    expect(hasRight(storeManager, 'form', 'members', 'delete')).toBe(false);
    expect(hasRight(storeManager, 'form', 'stores', 'read')).toBe(true);
    expect(hasRight(storeManager, 'action', 'checkout', 'run')).toBe(true);
    expect(hasRight(storeManager, 'report', '*', 'read')).toBe(true);
    expect(hasRight(storeManager, 'report', 'sales-kpi', 'read')).toBe(false);
    expect(grantCount(storeManager, 'action')).toBe(5);
  });

  it('grants a right into the row entry, keeping its scope and field rules, in column order', () => {
    const s = setRight(clerk, 'form', 'members', 'create', true);
    expect(s.permissions[0]).toEqual({ kind: 'form', key: 'members', actions: ['read', 'create', 'update'], scope: { homeUnit: '$user.unit' }, fields: { phone: 'masked' } });
    expect(clerk.permissions[0]!.actions).toEqual(['read', 'update']);
    // Granting what is granted changes nothing.
    expect(setRight(s, 'form', 'members', 'create', true)).toBe(s);
  });

  it('adds a new entry after the others of its kind', () => {
    const s = setRight(clerk, 'form', 'transactions', 'read', true);
    expect(s.permissions.map((p) => `${p.kind}/${p.key}`)).toEqual(['form/members', 'action/checkout', 'form/coupons', 'form/transactions']);
    const a = setRight(clerk, 'action', 'refund', 'run', true);
    expect(a.permissions.map((p) => `${p.kind}/${p.key}`)).toEqual(['form/members', 'action/checkout', 'action/refund', 'form/coupons']);
    const r = setRight(clerk, 'report', '*', 'read', true);
    expect(r.permissions[3]).toEqual({ kind: 'report', key: '*', actions: ['read'] });
  });

  it('revokes from every entry of the row and drops an entry left without rights', () => {
    const twice: RoleSpec = { ...clerk, permissions: [...clerk.permissions, { kind: 'form', key: 'members', actions: ['read', 'export'] }] };
    const s = setRight(twice, 'form', 'members', 'read', false);
    expect(entriesOf(s, 'form', 'members').map((p) => p.actions)).toEqual([['update'], ['export']]);
    const gone = setRight(clerk, 'form', 'coupons', 'read', false);
    expect(gone.permissions.some((p) => p.key === 'coupons')).toBe(false);
    expect(setRight(clerk, 'form', 'coupons', 'delete', false)).toBe(clerk);
  });

  it('keeps rights the matrix has no column for', () => {
    const custom: RoleSpec = { title: 'x', permissions: [{ kind: 'form', key: 'members', actions: ['approveRefund', 'read'] }] };
    const s = setRight(custom, 'form', 'members', 'update', true);
    expect(s.permissions[0]!.actions).toEqual(['read', 'update', 'approveRefund']);
    expect(setAllRights(s, 'form', 'members', false).permissions[0]!.actions).toEqual(['approveRefund']);
  });

  it('grants and revokes a whole row', () => {
    const all = setAllRights(clerk, 'flow', 'upgrade', true);
    expect(entriesOf(all, 'flow', 'upgrade')[0]!.actions).toEqual([...RIGHTS.flow]);
    expect(entriesOf(setAllRights(all, 'flow', 'upgrade', false), 'flow', 'upgrade')).toEqual([]);
  });

  it('lists rows: every definition (*), the defined ones, then keys only the role names', () => {
    expect(matrixRows(clerk, 'form', ['members', 'orders'], 'crm')).toEqual(['*', 'members', 'orders', 'coupons']);
    expect(matrixRows(clerk, 'app', [], 'crm')).toEqual(['crm']);
  });
});

describe('row scopes', () => {
  it('reads each shipped scope back into its choice and writes it the same way', () => {
    const region = JSON.parse(repoFile('templates/crm-retail/roles/region-manager.json')) as RoleSpec;
    const scopes = [...storeManager.permissions, ...region.permissions].map((p) => p.scope);
    for (const scope of scopes) expect(buildScope(parseScope(scope))).toEqual(scope);
    expect(parseScope(storeManager.permissions[1]!.scope)).toEqual({ mode: 'unit', field: 'homeUnit' });
    expect(parseScope(region.permissions[1]!.scope)).toEqual({ mode: 'subtree', field: 'homeUnit' });
    expect(parseScope(undefined)).toEqual({ mode: 'all' });
    expect(parseScope({})).toEqual({ mode: 'all' });
    expect(parseScope({ _createdBy: '$user.id' })).toEqual({ mode: 'own' });
    expect(parseScope({ tier: 'gold' })).toEqual({ mode: 'custom', filter: { tier: 'gold' } });
    expect(parseScope({ homeUnit: { $in: '$user.unitSubtree', $ne: 'x' } }).mode).toBe('custom');
  });

  it('switches modes keeping the org-unit field, and needs one for unit scopes', () => {
    const unit = { mode: 'unit', field: 'storeUnit' } as const;
    expect(choose('subtree', unit, ['homeUnit'])).toEqual({ mode: 'subtree', field: 'storeUnit' });
    expect(choose('unit', { mode: 'all' }, ['homeUnit', 'other'])).toEqual({ mode: 'unit', field: 'homeUnit' });
    expect(choose('unit', { mode: 'own' }, [])).toBeUndefined();
    expect(choose('custom', unit, [])).toEqual({ mode: 'custom', filter: { storeUnit: '$user.unit' } });
    expect(choose('custom', { mode: 'all' }, [])).toEqual({ mode: 'custom', filter: {} });
    expect(buildScope({ mode: 'custom', filter: {} })).toBeUndefined();
  });

  it('sets and clears the scope of a row, only where the row has an entry', () => {
    const s = setScope(clerk, 'form', 'coupons', { mode: 'own' });
    expect(s.permissions[2]).toEqual({ kind: 'form', key: 'coupons', actions: ['read'], scope: { _createdBy: '$user.id' } });
    expect(setScope(s, 'form', 'coupons', { mode: 'all' }).permissions[2]).toEqual({ kind: 'form', key: 'coupons', actions: ['read'] });
    expect(setScope(clerk, 'form', 'orders', { mode: 'own' })).toBe(clerk);
  });

  it('offers the org-unit fields of a form', () => {
    expect(unitFields([{ key: 'name', type: 'text' }, { key: 'homeUnit', type: 'orgunit' }])).toEqual(['homeUnit']);
  });
});

describe('field rules', () => {
  it('reads and stores words and masks', () => {
    expect(readFieldRule(undefined)).toEqual({ rule: 'visible' });
    expect(readFieldRule('hidden')).toEqual({ rule: 'hidden' });
    expect(readFieldRule({ rule: 'masked', mask: '1*1' })).toEqual({ rule: 'masked', mask: '1*1' });
    expect(storeFieldRule({ rule: 'masked', mask: '1*1' })).toEqual({ rule: 'masked', mask: '1*1' });
    expect(storeFieldRule({ rule: 'masked' })).toBe('masked');
    expect(storeFieldRule({ rule: 'readonly', mask: '1*1' })).toBe('readonly');
    expect(storeFieldRule({ rule: 'visible' })).toBeUndefined();
  });

  it('sets a rule on the row entry and removes it (and the empty object) when visible again', () => {
    const s = setFieldRule(clerk, 'form', 'members', 'balance', { rule: 'readonly' });
    expect(fieldRules(s, 'form', 'members')).toEqual({ phone: 'masked', balance: 'readonly' });
    const t = setFieldRule(setFieldRule(s, 'form', 'members', 'balance', { rule: 'visible' }), 'form', 'members', 'phone', { rule: 'visible' });
    expect(t.permissions[0]).toEqual({ kind: 'form', key: 'members', actions: ['read', 'update'], scope: { homeUnit: '$user.unit' } });
    expect(setFieldRule(clerk, 'form', 'orders', 'x', { rule: 'hidden' })).toBe(clerk);
  });
});

describe('server problems', () => {
  it('are put on the row of the permission they name', () => {
    const rows = problemsByRow(clerk, [
      { path: 'permissions[0].fields.phone.mask', message: 'bad mask' },
      { path: 'permissions[2].key', message: 'granted twice' },
      { path: 'permissions[2]', message: 'odd' },
      { path: 'permissions[9].key', message: 'gone' },
      { path: 'title', message: 'required' },
    ]);
    expect([...rows.entries()]).toEqual([
      ['form/members', ['fields.phone.mask: bad mask']],
      ['form/coupons', ['key: granted twice', 'odd']],
    ]);
  });
});
