/** Options of the differ and the internal shapes its parts share. */
import type { DiffCategory, DiffSubject, Difference, NodeModel, Severity } from '../model/types.js';
import type { DiffKnowledge } from './knowledge.js';

export interface DiffOptions {
  /** How each side is named in the report (the path as given, usually). Default `left` / `right`. */
  labels?: { left?: string; right?: string };
  /**
   * How messages name each side: `left` / `right` (the order given, as diff(1)) unless set; an
   * audit says `the baseline` / `this node`.
   */
  sides?: SideWords;
  /** Replace each node's own name and addresses with `<node-name>` / `<node-ip>`. Default true. */
  normalizeIdentity?: boolean;
  /**
   * With `now`, certificate status is recomputed from the dates (expiring = within this many days,
   * default 30); without it, the status the scanner recorded is used.
   */
  expiringDays?: number;
  now?: Date;
  /** The Kubernetes knowledge consulted; the real module unless a test passes a fake. */
  knowledge?: DiffKnowledge;
  /**
   * Work on the left model kept between calls ({@link createDiffMemo}): an audit compares one
   * reference with every node. Only for a left model that does not change while the memo is used.
   */
  memo?: DiffMemo;
}

/** What an audit reuses of its reference model from one node's comparison to the next. */
export interface DiffMemo {
  left?: NodeModel;
  knowledge?: DiffKnowledge;
  normalize?: boolean;
  identity?: (text: string) => string;
  settings: Map<string | null, unknown>;
  /** The left model's certificates and kubeconfigs by role, and the identity string of each. */
  certificates?: unknown;
  kubeconfigs?: unknown;
  ids?: WeakMap<object, string>;
  /** The left components' sources (identity replaced, sorted) and arguments (identity replaced). */
  components?: WeakMap<object, { sources: readonly string[]; args: readonly string[] }>;
}

export function createDiffMemo(): DiffMemo {
  return { settings: new Map() };
}

/** What every comparison step gets. */
/** Words for the two sides in messages ("on left", "Only this node has ..."): lower case, as mid-sentence. */
export interface SideWords {
  left: string;
  right: string;
}

export const PLAIN_SIDES: SideWords = Object.freeze({ left: 'left', right: 'right' });

export interface DiffContext {
  knowledge: DiffKnowledge;
  sides: SideWords;
  /** Identity replacement of each side (identity functions when turned off). */
  leftIdentity: (text: string) => string;
  rightIdentity: (text: string) => string;
  expiringDays: number;
  now: Date | null;
  /** Set when the left side's derived settings may be reused (see DiffOptions.memo). */
  leftMemo?: DiffMemo;
}

export interface DifferenceInit {
  component: string | null;
  subject: DiffSubject;
  key: string;
  change: Difference['change'];
  category: DiffCategory;
  severity: Severity;
  left: unknown;
  right: unknown;
  message: string;
}

/** A Difference with `undefined` turned into `null`, fields in contract order. */
export function difference(d: DifferenceInit): Difference {
  return {
    component: d.component,
    subject: d.subject,
    key: d.key,
    change: d.change,
    category: d.category,
    severity: d.severity,
    left: d.left === undefined ? null : d.left,
    right: d.right === undefined ? null : d.right,
    message: d.message,
  };
}

/** The change between an optional left and right. */
export function changeOf(left: unknown, right: unknown): Difference['change'] {
  if (left === undefined || left === null) return 'added';
  if (right === undefined || right === null) return 'removed';
  return 'changed';
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** Deep equality for JSON-like values, object key order ignored. */
export function sameValue(a: unknown, b: unknown): boolean {
  // Strings (most values) are equal as JSON exactly when they are equal; one value is equal to itself.
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (a === b) return true;
  // Lists of strings (SANs, sources, sets): equal as JSON exactly when equal item by item.
  if (Array.isArray(a) && Array.isArray(b) && a.every(isString) && b.every(isString)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return stableJson(a) === stableJson(b);
}

function isString(v: unknown): boolean {
  return typeof v === 'string';
}

export function stableJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
