/** Where a value holds a frozen object (a dotted path, `(top)` for the value itself), or null: models and reports handed to callers must stay theirs to change. */
export function anyFrozen(v: unknown, path = ''): string | null {
  if (v === null || typeof v !== 'object') return null;
  if (Object.isFrozen(v)) return path || '(top)';
  for (const [k, child] of Object.entries(v)) {
    const hit = anyFrozen(child, `${path}.${k}`);
    if (hit) return hit;
  }
  return null;
}
