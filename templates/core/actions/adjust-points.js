// Adjust points by hand: one ledger entry with the reason. Added points
// expire at the end of next calendar year, like earned ones.

const at = now();

// @include fail

if (input.points === 0) fail(422, 'crm.zero_points', '调整的积分不能为 0', 'points must not be 0', 'points');
const m = records.get('members', input.member);
if (!m) fail(422, 'crm.unknown_member', '找不到会员', 'no such member', 'member');
const expiresAt = input.points > 0 ? `${YEAR(at) + 2}-01-01` : undefined;
try {
  ledger.post({owner: m._id, kind: 'points', unit: 'point', amount: input.points, key: 'adjust:' + ids.new(), type: 'adjust',
    expiresAt, meta: {reason: input.reason}});
} catch (err) {
  if (err.code === 'ledger.insufficient_balance') {
    fail(422, 'crm.insufficient_points', `积分不足，不能扣减 ${-input.points} 积分`, `not enough points to take ${-input.points}`, 'points');
  }
  throw err;
}
const points = ledger.balance(m._id, 'points');
records.update('members', m._id, {points}, {ifVersion: m._version});
return {adjusted: input.points, points};
