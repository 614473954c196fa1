/**
 * Secret removal for anything kdiff prints: config documents, flag values. A secret value becomes
 * `present` (an empty one stays empty: it reveals nothing and says the secret is missing).
 */

/** Field-name endings that hold secret material (compared lowercase, `-`/`_` removed). */
const SECRET_ENDINGS = [
  'token',
  'password',
  'passwd',
  'secret',
  'secretkey',
  'privatekey',
  'apikey',
  'keydata',
  'authorization',
  'cookie',
  'credentials',
];

/** True for a field or flag name whose value is a secret (`secret`, `token`, `clientSecret`, `--etcd-password`). */
export function isSecretKey(name: string): boolean {
  const key = name.replace(/^-+/, '').replace(/[-_.]/g, '').toLowerCase();
  return SECRET_ENDINGS.some((end) => key.endsWith(end));
}

/** The stand-in for a secret value. */
export function redactValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  return 'present';
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

const MAX_DEPTH = 100;

/**
 * A deep copy of a parsed document with every secret replaced: a secret-named field whose value is
 * a scalar or a list of scalars (a `secret:` of an EncryptionConfiguration key, a `token:`, an
 * `Authorization` header) becomes `present`. Structures under secret-sounding names
 * (`authorization: {mode: Webhook}`) are walked, not dropped. Shared (aliased) nodes are copied
 * once; anything nested deeper than kdiff reads is cut off.
 */
export function redactSecrets(value: unknown): unknown {
  const seen = new Map<object, unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (isScalar(v)) return v;
    if (depth > MAX_DEPTH) return '[too deep]';
    const obj = v as object;
    if (seen.has(obj)) return seen.get(obj);
    if (Array.isArray(obj)) {
      const out: unknown[] = [];
      seen.set(obj, out);
      for (const item of obj) out.push(walk(item, depth + 1));
      return out;
    }
    if (obj instanceof Date) return obj.toISOString();
    if (obj instanceof Uint8Array) return 'present';
    const out: Record<string, unknown> = {};
    seen.set(obj, out);
    for (const [k, child] of Object.entries(obj)) {
      if (isSecretKey(k) && (isScalar(child) || (Array.isArray(child) && child.every(isScalar)))) {
        out[k] = Array.isArray(child) ? child.map(redactValue) : redactValue(child);
      } else {
        out[k] = walk(child, depth + 1);
      }
    }
    return out;
  };
  return walk(value, 0);
}
