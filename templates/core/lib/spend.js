// Rolling spend in month buckets. A member keeps spendMonths, one row per
// calendar month (the app's zone) with the net paid of that month's
// completed sales in fen, for the current month and the eleven before it;
// spend12m, which tiers are judged on, is their sum. A checkout or refund
// then touches one bucket of the member it reads anyway, instead of
// reading every sale of the member's last year.

// monthOf is the bucket of an instant: "2026-06".
function monthOf(at) {
  const mo = MONTH(at);
  return `${YEAR(at)}-${mo < 10 ? '0' : ''}${mo}`;
}

// spendMonthsOf returns a member's buckets. A member recorded before the
// buckets existed has none yet: they are summed once from its sales of
// the window, a page at a time, and kept from then on.
function spendMonthsOf(member, at) {
  if (Array.isArray(member.spendMonths)) return member.spendMonths;
  const since = DATE_ADD(at, -12, 'month'); // addSpend drops the older months
  const sums = new Map();
  let after = '';
  for (;;) {
    const f = {member: member._id, status: 'completed', paidAt: {$gte: since}};
    if (after) f._id = {$gt: after};
    const page = records.find('transactions', f, {sort: '_id', limit: 200});
    page.forEach((t) => { const k = monthOf(t.paidAt); sums.set(k, (sums.get(k) || 0) + (t.paid || 0)); });
    if (page.length < 200) break;
    after = page[page.length - 1]._id;
  }
  return [...sums].map(([month, amount]) => ({month, amount}));
}

// addSpend returns the member's buckets with delta fen added to the month
// of the instant when, keeping only the twelve months that end with the
// month of at, and their sum: {spendMonths, spend12m}. A month outside the
// window (a refund of an old sale) changes nothing but the pruning.
function addSpend(member, at, when, delta) {
  const first = monthOf(DATE_ADD(at, -11, 'month'));
  const key = monthOf(when);
  const rows = spendMonthsOf(member, at).filter((r) => r.month >= first).map((r) => ({month: r.month, amount: r.amount || 0}));
  if (delta && key >= first) {
    const row = rows.find((r) => r.month === key);
    if (row) row.amount = Math.max(row.amount + delta, 0);
    else if (delta > 0) rows.push({month: key, amount: delta});
  }
  rows.sort((a, b) => (a.month < b.month ? -1 : 1));
  return {spendMonths: rows, spend12m: rows.reduce((s, r) => s + r.amount, 0)};
}
