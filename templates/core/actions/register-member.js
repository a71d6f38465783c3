// Register a member: one member per person. A known phone, then a known
// unionid, finds the existing member (filling in a unionid it lacked);
// otherwise the member is created with the home store's org unit, by
// which store and region managers see their members.

const at = now();

// @include fail

// @include phone

function summary(m) {
  return {id: m._id, name: m.name, tier: m.tier || 'normal', cardNo: m.cardNo || null, points: m.points || 0, balance: m.balance || 0};
}

const phone = phoneOf(input.phone);
if (!/^1[3-9][0-9]{9}$/.test(phone)) fail(422, 'crm.bad_phone', '手机号应为 11 位中国大陆手机号', 'phone must be a mainland China mobile number', 'phone');

let m = records.find('members', {phone}, {limit: 1})[0];
if (!m && input.unionid) m = records.find('members', {unionid: input.unionid}, {limit: 1})[0];
if (m) {
  if (input.unionid && !m.unionid) m = records.update('members', m._id, {unionid: input.unionid}, {ifVersion: m._version});
  return {member: summary(m), created: false};
}

let store = null;
if (input.homeStore) {
  store = records.find('stores', {code: input.homeStore}, {limit: 1})[0] || records.get('stores', input.homeStore);
  if (!store) fail(422, 'crm.unknown_store', `找不到门店 ${input.homeStore}`, `no store ${input.homeStore}`, 'homeStore');
}
if (input.referrer && !records.get('members', input.referrer)) {
  fail(422, 'crm.unknown_referrer', '找不到推荐人', 'no such referring member', 'referrer');
}
m = records.create('members', {
  name: input.name, phone, unionid: input.unionid || null, cardNo: input.cardNo || null,
  gender: input.gender || 'unknown', birthday: input.birthday || null,
  homeStore: store ? store._id : null, homeUnit: (store && store.orgUnit) || null,
  source: input.source || (input.referrer ? 'referral' : 'pos'), referrer: input.referrer || null,
  consent: !!input.consent, consentAt: input.consent ? at : null, registeredAt: at,
  tier: 'normal', points: 0, balance: 0, spend12m: 0, spendMonths: [], orders: 0,
});
return {member: summary(m), created: true};
