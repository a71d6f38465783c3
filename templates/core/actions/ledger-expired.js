// The ledger expired part of an account (a points lot at the end of its
// validity): the member's points field mirrors the points balance, so it
// follows here, in the expiry's own transaction. Other kinds have no
// mirror that expiry changes; an owner that is no member is left alone.

const e = input.entry;
if (e.kind !== 'points') return {synced: false};
const m = records.get('members', e.owner);
if (!m) return {synced: false};
const points = ledger.balance(m._id, 'points');
records.update('members', m._id, {points});
return {synced: true, points};
