// findMember finds the member named by exactly one of id, phone, cardNo
// and unionid (needs fail and phoneOf).
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
