// Launch a campaign in batches: assign the next members of its audience
// (member id order, after the campaign's launch cursor) to the target or
// control group, record them, issue the campaign coupon to the target
// members, and move the cursor and group sizes on the campaign, all in
// this run's transaction, so a batch is whole or not at all and a retry
// of a failed batch assigns the same members the same way.

const at = now();

// @include fail
// @include coupon
// @include campaign

const c = campaignOf(input.campaign);
if (c.launchedAt) {
  fail(409, 'crm.campaign_launched', `活动 ${c.name} 已投放`, `campaign ${c.name} has already been launched`, 'campaign');
}
if (c.status === 'ended') {
  fail(409, 'crm.campaign_ended', `活动 ${c.name} 已结束`, `campaign ${c.name} has ended`, 'campaign');
}
if (!(Date.parse(c.endAt) > Date.parse(c.startAt))) {
  fail(422, 'crm.campaign_period', '活动结束时间须晚于开始时间', 'the campaign must end after it starts', 'endAt');
}
const share = controlShareOf(c);
let tpl = null;
if (c.couponTemplate) {
  tpl = records.get('coupon-templates', c.couponTemplate);
  if (!tpl) fail(422, 'crm.unknown_template', '找不到活动用券的券模板', 'the campaign\'s coupon template does not exist', 'couponTemplate');
  if (tpl.status === 'inactive') fail(422, 'crm.template_inactive', `券模板 ${tpl.name} 已停用`, `coupon template ${tpl.name} is inactive`, 'couponTemplate');
}

// The audience: every condition the campaign sets, ANDed; an empty one
// does not restrict.
const conds = [];
if (c.audienceTiers && c.audienceTiers.length) conds.push({tier: {$in: c.audienceTiers}});
if (c.audienceSegments && c.audienceSegments.length) conds.push({rfmSegment: {$in: c.audienceSegments}});
const tags = (c.audienceTags || '').split(',').map((t) => t.trim()).filter((t) => t);
if (tags.length) conds.push({tags: {$in: tags}});
if (c.audienceStores && c.audienceStores.length) conds.push({homeStore: {$in: c.audienceStores}});
if (c.consentOnly) conds.push({consent: true});

const limit = input.limit || 1000;
const page = 1000; // records.find's largest page
const expiresAt = tpl ? couponExpiry(tpl, at) : null;
let after = c.launchCursor || '';
let assigned = 0;
let target = 0;
let control = 0;
let done = false;
while (assigned < limit) {
  const n = Math.min(page, limit - assigned);
  const f = {$and: after ? conds.concat([{_id: {$gt: after}}]) : conds};
  const members = records.find('members', f, {sort: '_id', limit: n});
  for (const m of members) {
    const group = groupOf(c._id, m._id, share);
    const row = {campaign: c._id, member: m._id, group, assignedAt: at, pair: c._id + ':' + m._id};
    if (group === 'target') {
      target++;
      if (tpl) row.coupon = issueCoupon(tpl, m._id, at, expiresAt)._id;
    } else {
      control++;
    }
    records.create('campaign-members', row);
  }
  assigned += members.length;
  if (members.length) after = members[members.length - 1]._id;
  if (members.length < n) {
    done = true;
    break;
  }
}

const targetSize = (c.targetSize || 0) + target;
const controlSize = (c.controlSize || 0) + control;
const patch = {targetSize, controlSize, launchCursor: done ? null : after};
if (done) {
  patch.launchedAt = at;
  patch.status = Date.parse(at) < Date.parse(c.startAt) ? 'scheduled' : 'running';
  patch.roiStatus = 'pending';
}
records.update('campaigns', c._id, patch, {ifVersion: c._version});
return {campaign: c._id, done, assigned, target, control, targetSize, controlSize, launchedAt: done ? at : null};
