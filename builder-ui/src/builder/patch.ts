/**
 * A copy of value with patch applied, where an undefined in the patch
 * removes the setting instead of storing undefined: definitions leave
 * unset options out, so a cleared switch or field disappears from the
 * saved JSON (and from the diff).
 */
export function patched<T extends object>(value: T, patch: Partial<T>): T {
  const next = { ...value, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (next as Record<string, unknown>)[k];
  return next;
}
