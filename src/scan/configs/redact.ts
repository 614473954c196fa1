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

/**
 * Flags of Kubernetes components and etcd whose names end like a secret's but whose values are
 * not secrets (every such flag in the reference data of src/knowledge): etcd's `--auth-token`
 * names a token *kind* and key files (`simple`, `jwt,pub-key=...,priv-key=...`), its
 * `--initial-cluster-token` is a cluster name, `--use-service-account-credentials` is a boolean.
 */
const NOT_SECRET_FLAGS = new Set(['--auth-token', '--initial-cluster-token', '--use-service-account-credentials']);

/** True for a field or flag name whose value is a secret (`secret`, `token`, `clientSecret`, `--etcd-password`). */
export function isSecretKey(name: string): boolean {
  let secret = secretKeys.get(name);
  if (secret === undefined) {
    const key = name.replace(/^-+/, '').replace(/[-_.]/g, '').toLowerCase();
    secret = !NOT_SECRET_FLAGS.has(name) && SECRET_ENDINGS.some((end) => key.endsWith(end));
    // Field and flag names repeat on every node; a hostile file's many names are not all kept.
    if (secretKeys.size < 10_000) secretKeys.set(name, secret);
  }
  return secret;
}

const secretKeys = new Map<string, boolean>();

/** Values that say whether something is on, never what a secret is: kept as they are. */
function isBooleanValue(value: unknown): boolean {
  return typeof value === 'boolean' || (typeof value === 'string' && /^(true|false)$/i.test(value));
}

/** The stand-in for a secret value (empty and boolean values reveal nothing and stay). */
export function redactValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '' || isBooleanValue(value)) return value;
  return 'present';
}

/** A flag's value as kdiff may print it: `present` for a secret-named flag's value, anything else as it is. */
export function redactFlagValue(name: string, value: string): string {
  return isSecretKey(name) ? (redactValue(value) as string) : value;
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

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;
// `--flag=value`, `--flag value`: the value of a secret-named flag.
const FLAG_VALUE = /(^|[\s"'“‘(])(--?[A-Za-z][\w.-]*)(=|\s+(?=[^\s-]))("[^"]*"?|'[^']*'?|[^\s"']+)/g;
// `NAME=value`, `name: value`: an environment variable or a field with a secret name.
const ASSIGNMENT = /(^|[^\w.-])(-*[A-Za-z_][\w.-]*)(\s*[=:]\s*)("[^"]*"?|'[^']*'?|[^\s"',}]+)/g;
// A long run of base64 (a key or token body pasted where it does not belong).
const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}/g;

/**
 * A piece of a node's file as a finding may quote it (a line systemd cannot parse, a word that is
 * not a flag), with whatever looks secret replaced: private key blocks, bootstrap tokens, values
 * of secret-named flags and variables, long base64 runs.
 */
export function maskSecrets(text: string): string {
  const value = (name: string, v: string): string => (isSecretKey(name) && redactValue(v.replace(/^["']|["']$/g, '')) !== v.replace(/^["']|["']$/g, '') ? 'present' : v);
  return text
    .replace(PEM_PRIVATE_KEY, '<private key>')
    .replace(BOOTSTRAP_TOKEN, '<token>')
    .replace(FLAG_VALUE, (_m, pre: string, name: string, sep: string, v: string) => `${pre}${name}${sep}${value(name, v)}`)
    .replace(ASSIGNMENT, (_m, pre: string, name: string, sep: string, v: string) => `${pre}${name}${sep}${value(name, v)}`)
    .replace(BASE64_RUN, (run) => (/[0-9]/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run) ? '<base64>' : run));
}
