// Redeem points for a coupon: debit the template's points cost (the ledger
// takes the earliest-expiring points first) and issue one coupon.

const at = now();

// @include fail
// @include coupon

const m = records.get('members', input.member);
if (!m) fail(422, 'crm.unknown_member', '找不到会员', 'no such member', 'member');
const tpl = records.get('coupon-templates', input.template);
if (!tpl) fail(422, 'crm.unknown_template', '找不到券模板', 'no such coupon template', 'template');
if (tpl.status === 'inactive' || !(tpl.pointsCost > 0)) {
  fail(422, 'crm.not_redeemable', `券模板 ${tpl.name} 不能用积分兑换`, `coupon template ${tpl.name} cannot be redeemed with points`, 'template');
}

const code = newCouponCode();
try {
  ledger.post({owner: m._id, kind: 'points', unit: 'point', amount: -tpl.pointsCost, key: 'redeem:' + code, type: 'redeem', ref: code});
} catch (err) {
  if (err.code === 'ledger.insufficient_balance') {
    const have = ledger.balance(m._id, 'points');
    fail(422, 'crm.insufficient_points', `积分不足：兑换需要 ${tpl.pointsCost} 积分，当前 ${have} 积分`,
      `not enough points: the coupon costs ${tpl.pointsCost}, the member has ${have}`, 'member');
  }
  throw err;
}
const c = issueCoupon(tpl, m._id, at, couponExpiry(tpl, at), code);
const points = ledger.balance(m._id, 'points');
records.update('members', m._id, {points}, {ifVersion: m._version});
return {coupon: {id: c._id, code, expiresAt: c.expiresAt}, pointsSpent: tpl.pointsCost, points};
