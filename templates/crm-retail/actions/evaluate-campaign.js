// Evaluate campaigns: one pass over a campaign's campaign-members (in
// the order of their campaign:member pair) sums its groups' sales in the
// campaign period and the cost of its redeemed coupons; a pass longer than
// this call's budget keeps its cursor and running totals on the campaign
// (evalState) and the next call goes on, so no call holds the store's
// writer for long. Money is integer fen; the ratios are exact in BigInt
// and rounded once, half away from zero.

const at = now();

// @include fail
// @include campaign

const budget = input.limit || 2000;
const page = 1000; // records.find's largest page
const batch = 200; // members per transactions query: the most $in takes
let processed = 0;
const results = [];

// divRound is n / d rounded half away from zero (BigInt, d > 0).
function divRound(n, d) {
  const q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

// hundredths renders an integer of hundredths as decimal text ("-1.05").
function hundredths(v) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % 100n).toString().padStart(2, '0');
  return (neg ? '-' : '') + (a / 100n).toString() + '.' + frac;
}

// findAll pages through every record of form matching filter, by _id.
function findAll(form, filter) {
  const out = [];
  let after = '';
  for (;;) {
    const f = after ? {$and: [filter, {_id: {$gt: after}}]} : filter;
    const got = records.find(form, f, {sort: '_id', limit: page});
    for (const r of got) out.push(r);
    if (got.length < page) return out;
    after = got[got.length - 1]._id;
  }
}

// costOf is what a page of redeemed campaign coupons cost: each one's
// template face value, or for a percent coupon (no face value) the
// discount of the completed receipt that redeemed it, read in one query.
const templates = {};
function costOf(coupons) {
  let cost = 0;
  const receipts = [];
  for (const k of coupons) {
    let tpl = templates[k.template];
    if (tpl === undefined) tpl = templates[k.template] = records.get('coupon-templates', k.template);
    if (!tpl) continue;
    if (tpl.type !== 'percent') cost += tpl.value || 0;
    else if (k.receiptId) receipts.push(k.receiptId);
  }
  if (receipts.length) {
    for (const t of findAll('transactions', {receiptId: {$in: receipts}, status: 'completed'})) cost += t.discount || 0;
  }
  return cost;
}

// figures turns a finished pass's totals into the campaign's result fields.
function figures(s) {
  const out = {targetSales: s.ts, controlSales: s.cs, targetBuyers: s.tb, controlBuyers: s.cb, couponCost: s.cost,
    incrementalSales: null, roi: null};
  if (s.tn === 0) return Object.assign(out, {roiStatus: 'no-target'});
  if (s.cn === 0) return Object.assign(out, {roiStatus: 'no-control'});
  // incremental = (ts/tn - cs/cn) * tn = (ts*cn - cs*tn) / cn, exactly.
  const num = BigInt(s.ts) * BigInt(s.cn) - BigInt(s.cs) * BigInt(s.tn);
  const den = BigInt(s.cn);
  out.incrementalSales = Number(divRound(num, den));
  if (s.cost === 0) return Object.assign(out, {roiStatus: 'no-cost'});
  // roi % = (num/den - cost) / cost * 100, in hundredths of a percent.
  const cost = BigInt(s.cost);
  out.roi = hundredths(divRound((num - cost * den) * 10000n, cost * den));
  return Object.assign(out, {roiStatus: 'ok'});
}

// evaluate advances c's pass by at most max campaign members and writes
// the campaign (extra: more fields to set, e.g. its status). It answers
// the campaign's result and how many members it handled.
function evaluate(c, max, extra) {
  const s = c.evalState ? JSON.parse(c.evalState) : {after: '', tn: 0, cn: 0, ts: 0, cs: 0, tb: 0, cb: 0, cost: 0};
  const period = {$gte: c.startAt, $lte: c.endAt};
  let n = 0;
  let done = false;
  while (n < max) {
    const want = Math.min(batch, max - n);
    // Keyset paging on the unique "campaign:member" pair: one range of
    // its index, in order, however many campaigns the form holds.
    const f = {pair: {$gt: s.after || c._id + ':', $lt: c._id + ';'}};
    const rows = records.find('campaign-members', f, {sort: 'pair', limit: want});
    const groupOfMember = {};
    const coupons = [];
    for (const r of rows) {
      groupOfMember[r.member] = r.group;
      if (r.group === 'target') s.tn++;
      else s.cn++;
      if (r.coupon) coupons.push(r.coupon);
    }
    if (rows.length) {
      const buyers = {};
      const sales = findAll('transactions', {member: {$in: Object.keys(groupOfMember)}, status: 'completed', paidAt: period});
      for (const t of sales) {
        const g = groupOfMember[t.member];
        if (g === 'target') s.ts += t.paid || 0;
        else s.cs += t.paid || 0;
        if (!buyers[t.member]) {
          buyers[t.member] = true;
          if (g === 'target') s.tb++;
          else s.cb++;
        }
      }
      if (coupons.length) s.cost += costOf(findAll('coupons', {_id: {$in: coupons}, status: 'redeemed', redeemedAt: period}));
      s.after = rows[rows.length - 1].pair;
    }
    n += rows.length;
    if (rows.length < want) {
      done = true;
      break;
    }
  }
  let patch;
  if (done) {
    patch = Object.assign(figures(s), {evalState: null, evaluatedAt: at});
  } else {
    patch = {evalState: JSON.stringify(s), roiStatus: 'running'};
  }
  Object.assign(patch, extra);
  const saved = records.update('campaigns', c._id, patch, {ifVersion: c._version});
  return {n, result: {campaign: c._id, name: c.name, done, roiStatus: saved.roiStatus, targetSize: s.tn, controlSize: s.cn,
    targetSales: saved.targetSales, controlSales: saved.controlSales, incrementalSales: saved.incrementalSales,
    couponCost: saved.couponCost, roi: saved.roi == null ? null : String(saved.roi), status: saved.status}};
}

// shanghaiDay is the business date (UTC+8) of a datetime.
function shanghaiDay(t) {
  return new Date(Date.parse(t) + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

if (input.campaign) {
  const c = campaignOf(input.campaign);
  if (!c.launchedAt) {
    fail(409, 'crm.campaign_not_launched', `活动 ${c.name} 尚未投放`, `campaign ${c.name} has not been launched`, 'campaign');
  }
  const r = evaluate(c, budget, {});
  processed += r.n;
  results.push(r.result);
} else {
  // The daily run: every launched campaign not ended, oldest first.
  const live = records.find('campaigns', {launchedAt: {$exists: true}, status: {$in: ['scheduled', 'running']}}, {sort: '_id', limit: 1000});
  const today = shanghaiDay(at);
  const nowMs = Date.parse(at);
  for (const c of live) {
    if (processed >= budget) break;
    const extra = {};
    if (nowMs < Date.parse(c.startAt)) continue; // not started: nothing to measure
    if (c.status === 'scheduled') extra.status = 'running';
    const ended = nowMs > Date.parse(c.endAt);
    if (!c.evalState && !ended && c.evaluatedAt && shanghaiDay(c.evaluatedAt) === today) {
      if (extra.status) records.update('campaigns', c._id, extra, {ifVersion: c._version});
      continue;
    }
    const r = evaluate(c, budget - processed, extra);
    if (r.result.done && ended) {
      records.update('campaigns', c._id, {status: 'ended'});
      r.result.status = 'ended';
    }
    processed += r.n;
    results.push(r.result);
  }
}
return {processed, campaigns: results};
