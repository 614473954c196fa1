/**
 * Loads a snapshot written by `kdiff scan --format json` and checks every field before anything
 * uses it: a snapshot may have been edited by hand or by someone hostile, so a malformed one is
 * rejected whole (InputError, exit 2), never half-trusted. The shape is the `Snapshot` of
 * ../model/types.ts; docs/schema/snapshot.schema.json (JSON Schema 2020-12) says the same.
 *
 * Fields kdiff does not know (a later kdiff may add optional ones) are kept only when they are
 * plain, bounded JSON (no `__proto__`-like keys, no control characters, limited depth and size).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { NodeModel, Snapshot } from '../model/types.js';
import { redactFlagValue, redactSecrets } from '../scan/configs/redact.js';
import { InputError } from './open.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

export interface SnapshotLimits {
  /** Largest snapshot file, in bytes. */
  maxBytes: number;
  /** Most items in any one array. */
  maxItems: number;
  /** Longest identifier, path or name (characters). */
  maxNameLength: number;
  /** Longest free-text value: a flag value, a message, a string inside a config file (characters). */
  maxTextLength: number;
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxItems: 50000,
  maxNameLength: 4096,
  maxTextLength: 4 * 1024 * 1024,
  maxDepth: 64,
};

// Control characters (C0, DEL, C1) and bidi overrides rewrite terminals or hide text; identifiers
// and paths may hold none, free text may hold only tab, newline and carriage return.
// eslint-disable-next-line no-control-regex
const NAME_BAD = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const TEXT_BAD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// kdiff never writes key material or a bootstrap token into a snapshot: one that holds some was
// edited, and printing it is exactly what must never happen.
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** One field's expected shape. */
type Spec =
  | { t: 'name'; pattern?: RegExp; what?: string }
  | { t: 'text' }
  | { t: 'date' }
  | { t: 'bool' }
  | { t: 'int'; min: number }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'const'; value: string | number }
  | { t: 'nullable'; of: Spec }
  | { t: 'array'; of: Spec }
  | { t: 'object'; fields: Record<string, Spec>; optional?: readonly string[] }
  | { t: 'json' };

const name: Spec = { t: 'name' };
const nodePath: Spec = { t: 'name', pattern: /^\//, what: 'an absolute node path' };
const text: Spec = { t: 'text' };
const bool: Spec = { t: 'bool' };
const nullable = (of: Spec): Spec => ({ t: 'nullable', of });
const array = (of: Spec): Spec => ({ t: 'array', of });
const oneOf = (...values: string[]): Spec => ({ t: 'enum', values });

const FINDING: Spec = {
  t: 'object',
  fields: {
    severity: oneOf('error', 'warning', 'info'),
    code: { t: 'name', pattern: /^[a-z0-9][a-z0-9-]*$/, what: 'a kebab-case code' },
    path: nullable(name),
    line: { t: 'int', min: 1 },
    message: text,
    component: name,
  },
  optional: ['line', 'component'],
};

const FLAG: Spec = {
  t: 'object',
  fields: { name, value: text, source: name, bare: bool, overridden: bool },
  optional: ['bare', 'overridden'],
};

const COMPONENT: Spec = {
  t: 'object',
  fields: {
    name,
    runMode: oneOf('static-pod', 'systemd', 'daemonset'),
    sources: array(nodePath),
    image: nullable(name),
    binary: nullable(name),
    version: nullable(name),
    enabled: nullable(bool),
    unit: name,
    masked: bool,
    flags: array(FLAG),
    args: array(text),
  },
  optional: ['unit', 'masked', 'args'],
};

const CERTIFICATE: Spec = {
  t: 'object',
  fields: {
    path: name,
    subject: text,
    issuer: text,
    serial: name,
    notBefore: { t: 'date' },
    notAfter: { t: 'date' },
    sans: array(text),
    isCA: bool,
    keyUsage: array(name),
    extKeyUsage: array(name),
    publicKey: name,
    sha256: { t: 'name', pattern: /^[0-9a-f]{64}$/, what: '64 lowercase hex digits' },
    roles: array(name),
    issuerPath: nullable(name),
    privateKey: oneOf('present', 'absent', 'mismatch'),
    status: oneOf('valid', 'expiring', 'expired', 'not-yet-valid'),
  },
};

const KUBECONFIG: Spec = {
  t: 'object',
  fields: {
    path: nodePath,
    server: nullable(text),
    user: nullable(text),
    groups: array(text),
    auth: oneOf('client-certificate', 'token', 'exec', 'other'),
    ca: nullable(name),
    clientCertificate: nullable(name),
    roles: array(name),
  },
};

const CONFIG_FILE: Spec = {
  t: 'object',
  fields: { path: nodePath, kind: name, apiVersion: nullable(name), component: nullable(name), content: { t: 'json' } },
};

const EXTRA_STATIC_POD: Spec = { t: 'object', fields: { name, path: nodePath, image: nullable(name) } };

const count: Spec = { t: 'int', min: 0 };
const ETCD: Spec = {
  t: 'object',
  fields: {
    dataDir: nodePath,
    db: nullable(nodePath),
    status: nullable({ t: 'object', fields: { hash: count, revision: count, totalKey: count, totalSize: count } }),
  },
};

const NODE: Spec = {
  t: 'object',
  fields: {
    style: oneOf('kubeadm', 'hard-way', 'mixed', 'unknown'),
    styleEvidence: array(text),
    role: oneOf('control-plane', 'worker', 'unknown'),
    roleEvidence: array(text),
    components: array(COMPONENT),
    extraStaticPods: array(EXTRA_STATIC_POD),
    certificates: array(CERTIFICATE),
    kubeconfigs: array(KUBECONFIG),
    configs: array(CONFIG_FILE),
    etcd: array(ETCD),
    findings: array(FINDING),
  },
  optional: ['etcd'],
};

const SNAPSHOT: Spec = {
  t: 'object',
  fields: { kdiff: { t: 'const', value: 'snapshot' }, schemaVersion: { t: 'const', value: SNAPSHOT_SCHEMA_VERSION }, node: NODE },
};

class Invalid extends Error {}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  return typeof v === 'boolean' ? 'a boolean' : typeof v;
}

function at(path: string): string {
  return path === '' ? 'the document' : path;
}

function fail(path: string, message: string): never {
  throw new Invalid(`${at(path)} ${message}`);
}

function checkString(v: unknown, path: string, max: number, bad: RegExp): string {
  if (typeof v !== 'string') fail(path, `is ${typeName(v)}, expected a string`);
  if (v.length > max) fail(path, `is ${v.length} characters long, over the limit of ${max}`);
  if (bad.test(v)) fail(path, 'holds control or bidi characters');
  if (PRIVATE_KEY.test(v)) fail(path, 'holds private key material, which kdiff never writes into a snapshot');
  if (BOOTSTRAP_TOKEN.test(v)) fail(path, 'holds what looks like a bootstrap token, which kdiff never writes into a snapshot');
  return v;
}

function checkKey(k: string, path: string, limits: SnapshotLimits): void {
  if (FORBIDDEN_KEYS.has(k)) fail(path, `has a key named ${JSON.stringify(k)}, which is never valid`);
  if (k.length > limits.maxNameLength || NAME_BAD.test(k)) fail(path, 'has a key that is too long or holds control characters');
  if (PRIVATE_KEY.test(k) || BOOTSTRAP_TOKEN.test(k)) fail(path, 'has a key that holds secret material');
}

/** Any plain JSON, bounded (used for config file content and fields kdiff does not know). */
function checkJson(v: unknown, path: string, depth: number, limits: SnapshotLimits): void {
  if (depth > limits.maxDepth) fail(path, `is nested more than ${limits.maxDepth} levels deep`);
  if (v === null || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(path, 'is not a finite number');
    return;
  }
  if (typeof v === 'string') {
    checkString(v, path, limits.maxTextLength, TEXT_BAD);
    return;
  }
  if (Array.isArray(v)) {
    if (v.length > limits.maxItems) fail(path, `has ${v.length} items, over the limit of ${limits.maxItems}`);
    v.forEach((x, i) => checkJson(x, `${path}[${i}]`, depth + 1, limits));
    return;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v as object);
    if (keys.length > limits.maxItems) fail(path, `has ${keys.length} keys, over the limit of ${limits.maxItems}`);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      checkKey(k, path, limits);
      checkJson(x, `${path}.${k}`, depth + 1, limits);
    }
    return;
  }
  fail(path, `is ${typeName(v)}, not JSON`);
}

function check(v: unknown, spec: Spec, path: string, depth: number, limits: SnapshotLimits): void {
  switch (spec.t) {
    case 'name': {
      const s = checkString(v, path, limits.maxNameLength, NAME_BAD);
      if (spec.pattern && !spec.pattern.test(s)) fail(path, `is not ${spec.what ?? 'a name'}`);
      return;
    }
    case 'text':
      checkString(v, path, limits.maxTextLength, TEXT_BAD);
      return;
    case 'date': {
      const s = checkString(v, path, 64, NAME_BAD);
      if (!ISO_DATE.test(s) || !Number.isFinite(Date.parse(s))) fail(path, 'is not an ISO-8601 date and time');
      return;
    }
    case 'bool':
      if (typeof v !== 'boolean') fail(path, `is ${typeName(v)}, expected true or false`);
      return;
    case 'int':
      if (typeof v !== 'number') fail(path, `is ${typeName(v)}, expected a whole number of at least ${spec.min}`);
      if (!Number.isSafeInteger(v) || v < spec.min) fail(path, `is not a whole number of at least ${spec.min}`);
      return;
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v)) {
        fail(path, typeof v === 'string' ? `is not one of ${spec.values.join(', ')}` : `is ${typeName(v)}, expected one of ${spec.values.join(', ')}`);
      }
      return;
    case 'const':
      if (v !== spec.value) fail(path, `is not ${JSON.stringify(spec.value)}`);
      return;
    case 'nullable':
      if (v !== null) check(v, spec.of, path, depth, limits);
      return;
    case 'array':
      if (!Array.isArray(v)) fail(path, `is ${typeName(v)}, expected an array`);
      if (v.length > limits.maxItems) fail(path, `has ${v.length} items, over the limit of ${limits.maxItems}`);
      v.forEach((x, i) => check(x, spec.of, `${path}[${i}]`, depth + 1, limits));
      return;
    case 'object': {
      if (depth > limits.maxDepth) fail(path, `is nested more than ${limits.maxDepth} levels deep`);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `is ${typeName(v)}, expected an object`);
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) checkKey(k, path, limits);
      const optional = spec.optional ?? [];
      for (const [k, fieldSpec] of Object.entries(spec.fields)) {
        const sub = path === '' ? k : `${path}.${k}`;
        if (!Object.hasOwn(o, k)) {
          if (!optional.includes(k)) fail(sub, 'is missing');
          continue;
        }
        check(o[k], fieldSpec, sub, depth + 1, limits);
      }
      for (const [k, x] of Object.entries(o)) {
        if (!Object.hasOwn(spec.fields, k)) checkJson(x, path === '' ? k : `${path}.${k}`, depth + 1, limits);
      }
      return;
    }
    case 'json':
      checkJson(v, path, depth, limits);
      return;
  }
}

/** Checks an already-parsed value; throws InputError naming the first field that is wrong. */
export function validateSnapshot(value: unknown, label = 'snapshot', limits: Partial<SnapshotLimits> = {}): Snapshot {
  const l = { ...DEFAULT_SNAPSHOT_LIMITS, ...limits };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${label}: not a kdiff snapshot (the document is ${typeName(value)}, expected an object)`);
  }
  const o = value as Record<string, unknown>;
  if (o.kdiff !== 'snapshot') {
    const what = typeof o.kdiff === 'string' && /^[a-z]{1,20}$/.test(o.kdiff) ? `a kdiff ${o.kdiff}` : 'something else';
    throw new InputError(`${label}: not a kdiff snapshot (it is ${what}; write one with \`kdiff scan --format json\`)`);
  }
  if (o.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    const v = typeof o.schemaVersion === 'number' && Number.isSafeInteger(o.schemaVersion) && Math.abs(o.schemaVersion) < 1e6 ? String(o.schemaVersion) : typeName(o.schemaVersion);
    throw new InputError(`${label}: snapshot schemaVersion ${v} is not one this kdiff reads (it reads ${SNAPSHOT_SCHEMA_VERSION})`);
  }
  try {
    check(value, SNAPSHOT, '', 0, l);
  } catch (err) {
    if (err instanceof Invalid) throw new InputError(`${label}: invalid snapshot: ${err.message}`);
    if (err instanceof RangeError) throw new InputError(`${label}: invalid snapshot: nested too deeply`);
    throw err;
  }
  return withoutSecrets(value as Snapshot);
}

/**
 * The snapshot with secret values replaced the way the scanners replace them (idempotent on what
 * kdiff writes): an edited or older snapshot may hold a secret-named flag or config field in clear.
 */
function withoutSecrets(snapshot: Snapshot): Snapshot {
  const node = snapshot.node;
  return {
    ...snapshot,
    node: {
      ...node,
      components: node.components.map((c) => ({ ...c, flags: c.flags.map((f) => ({ ...f, value: redactFlagValue(f.name, f.value) })) })),
      configs: node.configs.map((c) => ({ ...c, content: redactSecrets(c.content) })),
    },
  };
}

/**
 * Offset of the first JSON syntax error in a text JSON.parse rejected (a small iterative scanner:
 * V8's own message quotes the text around the error, which may be a secret).
 */
export function jsonErrorOffset(t: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < t.length && ' \t\n\r'.includes(t[i])) i++;
  };
  const stack: ('{' | '[')[] = [];
  // state: 'value' (a value is expected), 'after' (a value just ended), 'key' (a key or } is expected)
  let state: 'value' | 'after' | 'key' | 'first-value' | 'first-key' = 'value';
  for (;;) {
    ws();
    if (i >= t.length) return stack.length === 0 && state === 'after' ? -1 : i;
    const c = t[i];
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (!top) return i;
      if (c === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        i++;
        stack.pop();
      } else return i;
      continue;
    }
    if (state === 'key' || state === 'first-key') {
      if (c === '}' && state === 'first-key') {
        i++;
        stack.pop();
        state = 'after';
        continue;
      }
      if (c !== '"') return i;
      const end = stringEnd(t, i);
      if (end < 0) return -1 - end;
      i = end;
      ws();
      if (t[i] !== ':') return i;
      i++;
      state = 'value';
      continue;
    }
    if (c === ']' && state === 'first-value') {
      i++;
      stack.pop();
      state = 'after';
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      state = c === '{' ? 'first-key' : 'first-value';
      continue;
    }
    if (c === '"') {
      const end = stringEnd(t, i);
      if (end < 0) return -1 - end;
      i = end;
    } else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(t.slice(i, i + 400));
      if (!m) return i;
      i += m[0].length;
    }
    state = 'after';
  }
}

/** Offset just past the string starting at `start`, or `-1 - offset` of what breaks it. */
function stringEnd(t: string, start: number): number {
  for (let i = start + 1; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1 - i;
    if (c === 0x5c) {
      const n = t[i + 1];
      if (n === undefined) break;
      if (n === 'u' ? !/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(n)) return -1 - i;
      i += n === 'u' ? 5 : 1;
    }
  }
  return -1 - t.length;
}

/** Where JSON.parse failed, as `line N, column M`, never quoting the text. */
function jsonProblem(textValue: string): string {
  const at = jsonErrorOffset(textValue);
  if (at < 0) return 'a syntax error';
  if (at >= textValue.length) return 'it ends early: truncated?';
  const before = textValue.slice(0, at);
  const line = before.split('\n').length;
  return `unexpected character at line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

/** Parses and checks snapshot text. */
export function parseSnapshot(textValue: string, label = 'snapshot', limits: Partial<SnapshotLimits> = {}): Snapshot {
  const l = { ...DEFAULT_SNAPSHOT_LIMITS, ...limits };
  if (textValue.length > l.maxBytes) throw new InputError(`${label}: snapshot is over the ${l.maxBytes}-byte limit`);
  let parsed: unknown;
  const body = textValue.charCodeAt(0) === 0xfeff ? textValue.slice(1) : textValue;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InputError(`${label}: not valid JSON (${jsonProblem(body)})`);
  }
  return validateSnapshot(parsed, label, l);
}

/**
 * Loads a snapshot from a file path, or from the JSON text itself when the argument starts with `{`.
 * Throws InputError (the CLI exits 2) for a missing file, bad JSON or any field out of shape.
 */
export function loadSnapshot(pathOrText: string, limits: Partial<SnapshotLimits> = {}): Snapshot {
  if (/^\s*\{/.test(pathOrText)) return parseSnapshot(pathOrText, 'snapshot', limits);
  const l = { ...DEFAULT_SNAPSHOT_LIMITS, ...limits };
  let data: Buffer;
  try {
    const fd = openSync(pathOrText, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new InputError(`${pathOrText}: not a regular file`);
      if (st.size > l.maxBytes) throw new InputError(`${pathOrText}: snapshot is over the ${l.maxBytes}-byte limit`);
      data = Buffer.alloc(st.size);
      let off = 0;
      while (off < st.size) {
        const n = readSync(fd, data, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      data = data.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${pathOrText}: no such file or directory`);
    if (code === 'EACCES') throw new InputError(`${pathOrText}: permission denied`);
    throw new InputError(`${pathOrText}: cannot be read (${code ?? String(err)})`);
  }
  let textValue: string;
  try {
    textValue = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new InputError(`${pathOrText}: not a kdiff snapshot (not UTF-8 text)`);
  }
  return parseSnapshot(textValue, pathOrText, l);
}

/** The node model of a snapshot. */
export function loadSnapshotModel(pathOrText: string): NodeModel {
  return loadSnapshot(pathOrText).node;
}
