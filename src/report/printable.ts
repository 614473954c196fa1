/**
 * Text read from a node is shown to a person on a terminal or in a CI log: a value holding an
 * escape sequence (clear the screen, move the cursor, hide text), another C0/C1 control, a line
 * break (a forged finding line) or a bidi override must show as an escape, never act. The human
 * renderers pass their input through `printable` first, before any colour is painted; JSON, SARIF
 * and JUnit escape by their own rules.
 */

import { unicodeEscape } from '../util/quote.js';

/** C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function escapeChar(c: string): string {
  return NAMED[c] ?? unicodeEscape(c);
}

/** `s` with each control or bidi character written as an escape (`\n`, `\u001b`); `s` itself when it has none. */
export function printableText(s: string): string {
  return UNPRINTABLE.test(s) ? s.replace(UNPRINTABLE_ALL, escapeChar) : s;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Assignment would make a `__proto__` key the copy's prototype; a definition keeps it a key. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function walk(value: unknown, active: Set<object>): unknown {
  if (typeof value === 'string') return printableText(value);
  if (typeof value !== 'object' || value === null || active.has(value)) return value;
  if (Array.isArray(value)) {
    active.add(value);
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = walk(item, active);
      if (next !== item && !copy) copy = value.slice(0, i);
      if (copy) copy.push(next);
    }
    active.delete(value);
    return copy ?? value;
  }
  // Class instances (Date, Buffer, Map ...) are not report data: left as they are.
  if (!isPlainObject(value)) return value;
  active.add(value);
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = value[key];
    const safeKey = printableText(key);
    const next = walk(item, active);
    if ((next !== item || safeKey !== key) && !copy) {
      copy = Object.getPrototypeOf(value) === null ? (Object.create(null) as Record<string, unknown>) : {};
      for (let j = 0; j < i; j++) define(copy, keys[j], value[keys[j]]);
    }
    if (copy) define(copy, safeKey, next);
  }
  active.delete(value);
  return copy ?? value;
}

/**
 * A copy of `value` in which every string (object keys too) has gone through `printableText`.
 * Only the arrays and plain objects on the way to a changed string are copied; the rest, and the
 * whole value when nothing changes, are the input itself. Never mutates (inputs may be frozen).
 */
export function printable<T>(value: T): T {
  return walk(value, new Set()) as T;
}
