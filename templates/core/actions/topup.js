// Top up stored value: the principal and the bonus of the top-up-bonus
// table go to separate accounts, keyed by the receipt id so a retry
// credits nothing twice.

const KEY = 'topup:' + input.receiptId;

function fail(status, code, zh, en, path) {
  throw {status, code, path, message: {'zh-CN': zh, en}};
}

// phoneOf reduces a phone number to the 11 digits members are stored with.
function phoneOf(s) {
  const d = s.replace(/[^0-9]/g, '');
  if (d.length === 13 && d.startsWith('86')) return d.slice(2);
  if (d.length === 15 && d.startsWith('0086')) return d.slice(4);
  return d;
}

function findMember(ref) {
  const keys = ['id', 'phone', 'cardNo', 'unionid'].filter((k) => ref[k] !== undefined);
  if (keys.length !== 1) {
    fail(422, 'crm.member_ref', '请提供且只提供一种会员标识：id、phone、cardNo 或 unionid',
      'give exactly one member identifier: id, phone, cardNo or unionid', 'member');
  }
  const k = keys[0];
  const m = k === 'id' ? records.get('members', ref.id)
    : records.find('members', {[k]: k === 'phone' ? phoneOf(ref.phone) : ref[k]}, {limit: 1})[0];
  if (!m) fail(422, 'crm.unknown_member', `找不到会员（${k}：${ref[k]}）`, `no member with ${k} ${ref[k]}`, 'member.' + k);
  return m;
}

const m = findMember(input.member);
const principal = FEN(input.amount);
const rule = rules.evaluate('topup-bonus', {amount: input.amount}).outputs;
const bonus = FEN(String(rule.bonus));
const plan = rule.plan || input.plan || '';

function credit(kind, amount, type) {
  if (amount <= 0) return;
  try {
    ledger.post({owner: m._id, kind, unit: 'fen', amount, key: `${KEY}:${kind}`, type, ref: input.receiptId, meta: {plan}});
  } catch (err) {
    if (err.code === 'ledger.idempotency_mismatch') {
      fail(409, 'crm.receipt_conflict', `小票号 ${input.receiptId} 已用于另一笔充值`,
        `receipt ${input.receiptId} was used for another top-up`, 'receiptId');
    }
    throw err;
  }
}
credit('sv-principal', principal, 'topup');
credit('sv-bonus', bonus, 'bonus');

const balance = {principal: ledger.balance(m._id, 'sv-principal'), bonus: ledger.balance(m._id, 'sv-bonus')};
if (m.balance !== balance.principal + balance.bonus) {
  records.update('members', m._id, {balance: balance.principal + balance.bonus}, {ifVersion: m._version});
}
return {principal, bonus, plan, balance};
