// Issue coupons in bulk: one coupon of a template per member, for a list
// of members or a batch of a filter (in member id order, resumed with
// after = the previous batch's next).

const at = now();

// @include fail
// @include coupon

if (!input.members === !input.filter) {
  fail(422, 'crm.issue_target', '请提供 members 或 filter 之一', 'give either members or filter', 'members');
}
const tpl = records.get('coupon-templates', input.template);
if (!tpl) fail(422, 'crm.unknown_template', '找不到券模板', 'no such coupon template', 'template');
if (tpl.status === 'inactive') fail(422, 'crm.template_inactive', `券模板 ${tpl.name} 已停用`, `coupon template ${tpl.name} is inactive`, 'template');

const limit = input.limit || 500;
let targets;
if (input.members) {
  targets = input.members.map((id, i) => {
    const m = records.get('members', id);
    if (!m) fail(422, 'crm.unknown_member', `找不到会员 ${id}`, `no member ${id}`, `members[${i}]`);
    return m;
  });
} else {
  const f = input.after ? {$and: [input.filter, {_id: {$gt: input.after}}]} : input.filter;
  targets = records.find('members', f, {sort: '_id', limit});
}

const expiresAt = couponExpiry(tpl, at);
const coupons = targets.map((m) => ({member: m._id, code: issueCoupon(tpl, m._id, at, expiresAt).code}));
const next = input.filter && targets.length === limit ? targets[targets.length - 1]._id : null;
return {issued: coupons.length, coupons, expiresAt, next};
