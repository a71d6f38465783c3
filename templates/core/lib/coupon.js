// couponExpiry is when coupons of template tpl issued at `at` expire: the
// template's validity in days, 30 when it has none.
function couponExpiry(tpl, at) {
  return DATE_ADD(at, tpl.validDays || 30, 'day');
}

// newCouponCode is a fresh coupon code.
function newCouponCode() {
  return 'C' + ids.new().toUpperCase();
}

// issueCoupon creates one issued coupon of template tpl for a member, with
// the given code (a new one when none), and returns the record.
function issueCoupon(tpl, memberId, at, expiresAt, code = newCouponCode()) {
  return records.create('coupons', {code, template: tpl._id, member: memberId, status: 'issued', issuedAt: at, expiresAt});
}
