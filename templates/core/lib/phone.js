// phoneOf reduces a phone number as people write it ("138 0013 8000",
// "+86 13800138000") to the 11 digits members are stored with.
function phoneOf(s) {
  const d = s.replace(/[^0-9]/g, '');
  if (d.length === 13 && d.startsWith('86')) return d.slice(2);
  if (d.length === 15 && d.startsWith('0086')) return d.slice(4);
  return d;
}
