// Checkout: one POS sale, all or nothing (the action runs in one store
// transaction). Money is integer fen throughout: prices arrive as decimal
// strings of yuan, which FEN() parses exactly, and products of amounts and
// rates use BigInt, never floats. Retrying a receipt id has one effect: a
// recorded receipt answers its first result, and every ledger key derives
// from the receipt id.

const at = now();
const KEY = 'checkout:' + input.receiptId;

// @include fail

// dec splits a decimal string ("1.5") into exact digits and a power of ten.
function dec(s) {
  const [whole, frac = ''] = String(s).split('.');
  return [BigInt(whole + frac), 10n ** BigInt(frac.length)];
}

// @include phone
// @include member
// @include spend

function findStore(s) {
  const st = records.find('stores', {code: s}, {limit: 1})[0] || records.get('stores', s);
  if (!st) fail(422, 'crm.unknown_store', `找不到门店 ${s}`, `no store ${s}`, 'store');
  if (st.status === 'closed') fail(422, 'crm.store_closed', `门店 ${st.name} 已关闭`, `store ${st.name} is closed`, 'store');
  return st;
}

// Lines: exact amounts; one line per SKU.
const skus = new Map();
let amount = 0;
const lines = input.lines.map((l, i) => {
  if (skus.has(l.sku)) {
    const j = skus.get(l.sku);
    fail(422, 'crm.duplicate_line', `第 ${i + 1} 行与第 ${j + 1} 行是同一商品 ${l.sku}，请合并数量`,
      `line ${i + 1} repeats SKU ${l.sku} of line ${j + 1}; merge the quantities`, `lines[${i}].sku`);
  }
  skus.set(l.sku, i);
  const price = FEN(l.price);
  amount += price * l.quantity;
  return {sku: l.sku, name: l.name || null, category: l.category, quantity: l.quantity, price, amount: price * l.quantity};
});

const m = findMember(input.member);
const store = findStore(input.store);

// A receipt already recorded: the same sale answers its first result,
// another sale under the same id is refused.
const prior = records.find('transactions', {receiptId: input.receiptId}, {limit: 1})[0];
if (prior) {
  if (prior.member !== m._id || prior.store !== store._id || prior.amount !== amount || !prior.checkoutResult) {
    fail(409, 'crm.receipt_conflict', `小票号 ${input.receiptId} 已用于另一笔交易`,
      `receipt ${input.receiptId} was recorded for another sale`, 'receiptId');
  }
  return Object.assign({transaction: prior._id}, JSON.parse(prior.checkoutResult), {status: prior.status, replayed: true});
}

// Coupons: single use, owned by the member, unexpired, their conditions met.
function redeemable(code, i) {
  const path = `couponCodes[${i}]`;
  const c = records.find('coupons', {code}, {limit: 1})[0];
  if (!c) fail(422, 'crm.unknown_coupon', `优惠券 ${code} 不存在`, `no coupon ${code}`, path);
  if (c.member && c.member !== m._id) fail(422, 'crm.coupon_not_yours', `优惠券 ${code} 不属于该会员`, `coupon ${code} belongs to another member`, path);
  if (c.status === 'redeemed') fail(409, 'crm.coupon_used', `优惠券 ${code} 已使用`, `coupon ${code} has already been used`, path);
  if (c.status === 'void') fail(409, 'crm.coupon_void', `优惠券 ${code} 已作废`, `coupon ${code} is void`, path);
  if (c.status === 'expired' || (c.expiresAt && c.expiresAt <= at)) {
    fail(409, 'crm.coupon_expired', `优惠券 ${code} 已过期`, `coupon ${code} has expired`, path);
  }
  const tpl = records.get('coupon-templates', c.template);
  if (!tpl || tpl.status === 'inactive') fail(409, 'crm.coupon_inactive', `优惠券 ${code} 的券模板已停用`, `the template of coupon ${code} is inactive`, path);
  if (tpl.stores && tpl.stores.length && !tpl.stores.includes(store._id)) {
    fail(422, 'crm.coupon_store', `优惠券 ${code} 不能在 ${store.name} 使用`, `coupon ${code} is not valid at ${store.name}`, path);
  }
  const cats = (tpl.categories || '').split(/[,，]/).map((s) => s.trim()).filter(Boolean);
  const eligible = lines.filter((l) => !cats.length || cats.includes(l.category)).reduce((s, l) => s + l.amount, 0);
  if (cats.length && !eligible) {
    fail(422, 'crm.coupon_category', `本单没有优惠券 ${code} 适用的品类（${cats.join('、')}）`,
      `no line of the receipt is in the categories of coupon ${code} (${cats.join(', ')})`, path);
  }
  if (eligible < (tpl.minSpend || 0)) {
    fail(422, 'crm.coupon_min_spend', `优惠券 ${code} 需适用商品满 ${YUAN(tpl.minSpend)} 元，本单 ${YUAN(eligible)} 元`,
      `coupon ${code} needs ${YUAN(tpl.minSpend)} yuan of eligible lines, the receipt has ${YUAN(eligible)}`, path);
  }
  return {c, tpl, eligible};
}

// off is what a coupon takes off its eligible lines: a percent coupon
// makes them cost percent per cent, rounded up to the fen (the discount
// rounds down); the others take their value, at most the lines' amount.
function off(tpl, eligible) {
  if (tpl.type === 'percent') {
    const [n, d] = dec(tpl.percent);
    return eligible - Number((BigInt(eligible) * n + 100n * d - 1n) / (100n * d));
  }
  return Math.min(tpl.value || 0, eligible);
}

const codes = input.couponCodes || [];
const picked = codes.map(redeemable);
if (picked.length > 1 && picked.some((p) => !p.tpl.stackable)) {
  fail(422, 'crm.coupon_not_stackable', '这些优惠券不能叠加使用', 'these coupons cannot be used together', 'couponCodes');
}
let discount = 0;
const coupons = picked.map(({c, tpl, eligible}) => {
  const d = Math.min(off(tpl, eligible), amount - discount);
  discount += d;
  // ifVersion: of two sales racing for one coupon only one redeems it.
  records.update('coupons', c._id, {status: 'redeemed', redeemedAt: at, receiptId: input.receiptId, store: store._id}, {ifVersion: c._version});
  return {code: c.code, status: 'redeemed', discount: d};
});

// Payments: stored value plus the rest must be what is due.
const paid = amount - discount;
const pay = input.payments || {};
const sv = pay.storedValue ? FEN(pay.storedValue) : 0;
const other = pay.other !== undefined ? FEN(pay.other) : paid - sv;
if (other < 0 || sv + other !== paid) {
  fail(422, 'crm.payment_mismatch', `支付合计 ${YUAN(sv + Math.max(other, 0))} 元与应付 ${YUAN(paid)} 元不符`,
    `payments of ${YUAN(sv + Math.max(other, 0))} yuan do not match the ${YUAN(paid)} yuan due`, 'payments');
}

// post posts one entry (none for zero) and returns the account's balance
// after it, given its balance before.
const entries = [];
function post(kind, unit, amt, type, before, expiresAt) {
  if (amt === 0) return before;
  const e = ledger.post({owner: m._id, kind, unit, amount: amt, key: `${KEY}:${kind}`, type, ref: input.receiptId, expiresAt});
  entries.push(e.id);
  return e.balanceAfter;
}

// Stored value: principal first, the bonus last.
const svp = ledger.balance(m._id, 'sv-principal');
const svb = ledger.balance(m._id, 'sv-bonus');
if (sv > svp + svb) {
  fail(422, 'crm.insufficient_stored_value', `储值余额不足：可用 ${YUAN(svp + svb)} 元，需支付 ${YUAN(sv)} 元`,
    `not enough stored value: ${YUAN(svp + svb)} yuan available, ${YUAN(sv)} yuan to pay`, 'payments.storedValue');
}
const fromPrincipal = Math.min(sv, svp);
const balance = {
  principal: post('sv-principal', 'fen', -fromPrincipal, 'pay', svp),
  bonus: post('sv-bonus', 'fen', -(sv - fromPrincipal), 'pay', svb),
};

// The sale goes into this month's spend bucket; tiers are judged on the
// last twelve months' buckets (lib/spend.js).
const spend = addSpend(m, at, at, paid);
const level = rules.evaluate('tier-levels', {spend12m: YUAN(spend.spend12m)}).outputs;

// Points: one per whole yuan paid, by category (each bears its share of
// the discount), times the tier's rate and the points-earn multiplier.
const byCategory = new Map();
lines.forEach((l) => byCategory.set(l.category, (byCategory.get(l.category) || 0) + l.amount));
const [rate, rateScale] = dec(level.pointsRate);
let pointsEarned = 0;
let shared = 0;
let left = byCategory.size;
for (const [category, catAmount] of byCategory) {
  const share = --left === 0 ? discount - shared : Number(BigInt(discount) * BigInt(catAmount) / BigInt(amount || 1));
  shared += share;
  const rule = rules.evaluate('points-earn', {tier: level.tier, store: store.code, category, day: at}).outputs;
  const [mult, multScale] = dec(rule.multiplier);
  const pts = BigInt(catAmount - share) * rate * mult / (100n * rateScale * multScale);
  if (pts > 0n) pointsEarned += Number(pts);
}
// One lot for the whole sale: points expire at the end of next calendar
// year (midnight, 1 January).
const points = pointsEarned > 0
  ? post('points', 'point', pointsEarned, 'earn', 0, `${YEAR(at) + 2}-01-01`)
  : ledger.balance(m._id, 'points');
const result = {
  receiptId: input.receiptId, status: 'completed', amount, discount, paid, storedValuePaid: sv, otherPaid: other,
  pointsEarned, points, balance, tier: level.tier, previousTier: m.tier || 'normal', coupons, replayed: false,
};
const txn = records.create('transactions', {
  receiptId: input.receiptId, store: store._id, storeUnit: store.orgUnit || null, member: m._id, paidAt: at,
  amount, discount, paid, storedValuePaid: sv, otherPaid: other, pointsEarned, status: 'completed',
  channel: input.channel || 'pos', couponCodes: codes.join(','), lines, ledgerEntries: entries.join(','),
  checkoutResult: JSON.stringify(result),
});
records.update('members', m._id, {
  tier: level.tier, spend12m: spend.spend12m, spendMonths: spend.spendMonths, orders: (m.orders || 0) + 1, lastPurchaseAt: at, points, balance: balance.principal + balance.bonus,
}, {ifVersion: m._version});
return Object.assign({transaction: txn._id}, result);
