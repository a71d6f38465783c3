// Refund a receipt: reverse exactly what its checkout did. The ledger
// entries the checkout posted are reversed one by one (a reversal key per
// entry, so a retry reverses nothing twice), coupons go back to issued
// unless they have expired meanwhile, the transaction is marked refunded
// and the member's mirrors follow: its balances from the ledgers, the
// sale's paid taken out of the spend bucket of its month (lib/spend.js).

const at = now();
const rid = input.receiptId;

// @include fail
// @include spend

const t = records.find('transactions', {receiptId: rid}, {limit: 1})[0];
if (!t) fail(422, 'crm.unknown_receipt', `找不到小票 ${rid}`, `no receipt ${rid}`, 'receiptId');
const m = records.get('members', t.member);
if (!m) fail(422, 'crm.unknown_member', '小票的会员已不存在', 'the member of this receipt no longer exists', 'receiptId');

function state(extra) {
  return Object.assign({
    receiptId: rid, status: 'refunded', points: ledger.balance(m._id, 'points'), tier: m.tier || 'normal',
    balance: {principal: ledger.balance(m._id, 'sv-principal'), bonus: ledger.balance(m._id, 'sv-bonus')},
  }, extra);
}
if (t.status === 'refunded') return state({replayed: true});

const back = {points: 0, 'sv-principal': 0, 'sv-bonus': 0};
(t.ledgerEntries || '').split(',').filter(Boolean).forEach((id) => {
  let e;
  try {
    e = ledger.reverse(id, `refund:${rid}:${id}`);
  } catch (err) {
    if (err.code === 'ledger.reversal_insufficient') {
      fail(409, 'crm.points_spent', `本单获得的积分已被使用，无法退款（当前积分 ${ledger.balance(m._id, 'points')}）`,
        `the points this sale earned have been spent; it cannot be refunded (points now ${ledger.balance(m._id, 'points')})`, 'receiptId');
    }
    throw err;
  }
  back[e.kind] += e.amount;
});

const coupons = (t.couponCodes || '').split(',').filter(Boolean).map((code) => {
  const c = records.find('coupons', {code}, {limit: 1})[0];
  if (!c || c.receiptId !== rid) return {code, status: c ? c.status : 'missing'};
  const status = c.expiresAt && c.expiresAt <= at ? 'expired' : 'issued';
  records.update('coupons', c._id, {status, redeemedAt: null, receiptId: null, store: null}, {ifVersion: c._version});
  return {code, status};
});

// Before the sale is marked refunded: a member without buckets yet has
// them summed from its completed sales, this one still among them.
const spend = addSpend(m, at, t.paidAt, -(t.paid || 0));
records.update('transactions', t._id, {status: 'refunded', refundedAt: at, refundReason: input.reason || null}, {ifVersion: t._version});

const tier = rules.evaluate('tier-levels', {spend12m: YUAN(spend.spend12m)}).outputs.tier;
const out = state({
  tier, pointsReversed: -back.points, coupons, replayed: false,
  storedValueRefunded: {principal: back['sv-principal'], bonus: back['sv-bonus']},
});
records.update('members', m._id, {
  tier, spend12m: spend.spend12m, spendMonths: spend.spendMonths, orders: Math.max((m.orders || 0) - 1, 0), points: out.points, balance: out.balance.principal + out.balance.bonus,
}, {ifVersion: m._version});
return out;
