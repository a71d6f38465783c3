// spendSince sums the net paid of a member's completed sales since an
// instant (the rolling 12-month spend tiers are judged on), a page of
// sales at a time.
function spendSince(member, since) {
  let total = 0;
  let after = '';
  for (;;) {
    const f = {member, status: 'completed', paidAt: {$gte: since}};
    if (after) f._id = {$gt: after};
    const page = records.find('transactions', f, {sort: '_id', limit: 200});
    page.forEach((t) => { total += t.paid || 0; });
    if (page.length < 200) return total;
    after = page[page.length - 1]._id;
  }
}
