// Top up stored value: the principal and the bonus of the top-up-bonus
// table go to separate accounts, keyed by the receipt id so a retry
// credits nothing twice.

const KEY = 'topup:' + input.receiptId;

// @include fail

// @include phone
// @include member

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
