// campaignOf reads the campaign input.campaign names, refusing an unknown
// one with crm.campaign_not_found (fail must be included before).
function campaignOf(id) {
  const c = records.get('campaigns', id);
  if (!c) fail(404, 'crm.campaign_not_found', `找不到营销活动 ${id}`, `no campaign ${id}`, 'campaign');
  return c;
}

// controlShareOf is the campaign's control share in whole percent,
// refused outside 0-90 with crm.control_share (the form allows no more,
// but its definition is editable).
function controlShareOf(c) {
  const share = Number(c.controlShare == null ? 0 : c.controlShare);
  if (!Number.isInteger(share) || share < 0 || share > 90) {
    fail(422, 'crm.control_share', '对照组比例须为 0–90 之间的整数百分比', 'the control share must be a whole percent from 0 to 90', 'controlShare');
  }
  return share;
}

// groupOf assigns a member to the campaign's target or control group: the
// FNV-1a 32-bit hash of "campaign:member" modulo 10000, below share x 100
// is control. Stable, so every rerun assigns the same way.
function groupOf(campaignId, memberId, share) {
  const s = campaignId + ':' + memberId;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 10000 < share * 100 ? 'control' : 'target';
}
