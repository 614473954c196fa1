/**
 * kdiff.yaml: ignore rules, failOn and expiringDays. Ignoring is a pure report -> report step that
 * runs between the differ and every formatter, so all formats agree (as dyff's Filter/Exclude do).
 * Rule syntax: docs/ci.md#rules.
 */
import { load } from 'js-yaml';
import type { DiffCategory, Difference, DiffReport, Severity } from '../model/types.js';
import { compareText } from '../util/compare.js';
import { quoteText } from '../util/quote.js';

export interface IgnoreRule {
  component?: string;
  subject?: string;
  /** A flag, role or field path; `*` and `?` are globs. */
  key?: string;
  category?: DiffCategory;
  change?: Difference['change'];
  /** Required: why the difference is accepted. */
  reason: string;
  /** `YYYY-MM-DD`: the rule applies up to and including that day, then is reported as expired. */
  until?: string;
  /** 1-based line of the rule in its file, for messages. */
  line?: number;
}

export interface KdiffConfig {
  ignore: IgnoreRule[];
  failOn?: DiffCategory[];
  expiringDays?: number;
}

/** A problem with kdiff.yaml itself: the CLI exits 2 with this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const CATEGORIES: readonly DiffCategory[] = [
  'security',
  'config',
  'layout',
  'version',
  'run-mode',
  'presence',
  'certificate',
];

const TOP_KEYS = ['ignore', 'failOn', 'expiringDays'];
const RULE_KEYS = ['component', 'subject', 'key', 'category', 'change', 'reason', 'until'];
const CHANGES = ['added', 'removed', 'changed'];

/** 1-based line of the first `key:` at or after `fromLine`, for error messages. */
function lineOf(text: string, key: string, fromLine = 1): number | undefined {
  const lines = text.split('\n');
  const re = new RegExp(`^\\s*(?:-\\s+)?["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
  for (let i = Math.max(0, fromLine - 1); i < lines.length; i++) if (re.test(lines[i])) return i + 1;
  return undefined;
}

/** Lines where each item of the top-level `ignore:` list starts. */
function ruleLines(text: string): number[] {
  const lines = text.split('\n');
  const out: number[] = [];
  let inIgnore = false;
  let itemIndent = -1;
  lines.forEach((l, i) => {
    if (/^ignore\s*:/.test(l)) {
      inIgnore = true;
      return;
    }
    if (inIgnore && /^\S/.test(l) && !/^\s*#/.test(l) && !/^-/.test(l)) inIgnore = false;
    if (!inIgnore) return;
    const m = /^(\s*)-\s/.exec(l);
    if (m && (itemIndent < 0 || m[1].length === itemIndent)) {
      itemIndent = m[1].length;
      out.push(i + 1);
    }
  });
  return out;
}

function where(file: string, line: number | undefined): string {
  return line ? `${file}:${line}` : file;
}

/** Parses and validates kdiff.yaml text. Unknown keys and bad values are a ConfigError naming key and line. */
export function parseConfig(text: string, file = 'kdiff.yaml'): KdiffConfig {
  let doc: unknown;
  try {
    doc = load(text, { maxAliases: 50 } as never);
  } catch (err) {
    const e = err as { mark?: { line?: number }; reason?: string; message: string };
    const line = e.mark?.line !== undefined ? e.mark.line + 1 : undefined;
    throw new ConfigError(`${where(file, line)}: not valid YAML: ${e.reason ?? e.message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) return { ignore: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file}: expected a mapping with ignore, failOn, expiringDays`);
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) {
    if (!TOP_KEYS.includes(k)) {
      throw new ConfigError(`${where(file, lineOf(text, k))}: unknown key "${k}" (known: ${TOP_KEYS.join(', ')})`);
    }
  }
  const config: KdiffConfig = { ignore: [] };
  if (top.failOn !== undefined) config.failOn = parseCategories(top.failOn, `${where(file, lineOf(text, 'failOn'))}: failOn`);
  if (top.expiringDays !== undefined) {
    const n = top.expiringDays;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 3650) {
      throw new ConfigError(`${where(file, lineOf(text, 'expiringDays'))}: expiringDays must be a whole number of days from 0 to 3650`);
    }
    config.expiringDays = n;
  }
  if (top.ignore !== undefined && top.ignore !== null) {
    if (!Array.isArray(top.ignore)) throw new ConfigError(`${where(file, lineOf(text, 'ignore'))}: ignore must be a list of rules`);
    const starts = ruleLines(text);
    top.ignore.forEach((raw, i) => {
      const line = starts[i];
      config.ignore.push(parseRule(raw, text, file, line));
    });
  }
  return config;
}

function parseCategories(value: unknown, what: string): DiffCategory[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
  if (!Array.isArray(list)) throw new ConfigError(`${what} must be a list of categories`);
  for (const c of list) {
    if (typeof c !== 'string' || !(CATEGORIES as readonly string[]).includes(c)) {
      throw new ConfigError(`${what}: unknown category "${String(c)}" (known: ${CATEGORIES.join(', ')})`);
    }
  }
  return [...new Set(list as DiffCategory[])];
}

/** Parses a comma list of categories (the --fail-on option); `all` and `none` are accepted. */
export function parseFailOn(value: string): DiffCategory[] {
  if (value.trim() === 'all') return [...CATEGORIES];
  if (value.trim() === 'none') return [];
  try {
    return parseCategories(value, '--fail-on');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function parseRule(raw: unknown, text: string, file: string, line: number | undefined): IgnoreRule {
  const at = where(file, line);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${at}: an ignore rule must be a mapping`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!RULE_KEYS.includes(k)) {
      throw new ConfigError(`${where(file, lineOf(text, k, line))}: unknown key "${k}" in an ignore rule (known: ${RULE_KEYS.join(', ')})`);
    }
  }
  const rule: IgnoreRule = { reason: '', ...(line ? { line } : {}) };
  for (const k of ['component', 'subject', 'key'] as const) {
    if (r[k] !== undefined) {
      if (typeof r[k] !== 'string') throw new ConfigError(`${where(file, lineOf(text, k, line))}: ${k} must be a string`);
      rule[k] = r[k] as string;
    }
  }
  if (r.category !== undefined) {
    if (typeof r.category !== 'string' || !(CATEGORIES as readonly string[]).includes(r.category)) {
      throw new ConfigError(`${where(file, lineOf(text, 'category', line))}: unknown category "${String(r.category)}" (known: ${CATEGORIES.join(', ')})`);
    }
    rule.category = r.category as DiffCategory;
  }
  if (r.change !== undefined) {
    if (typeof r.change !== 'string' || !CHANGES.includes(r.change)) {
      throw new ConfigError(`${where(file, lineOf(text, 'change', line))}: change must be one of ${CHANGES.join(', ')}`);
    }
    rule.change = r.change as Difference['change'];
  }
  if (typeof r.reason !== 'string' || r.reason.trim() === '') {
    throw new ConfigError(`${at}: every ignore rule needs a reason`);
  }
  rule.reason = r.reason;
  if (r.until !== undefined) {
    // YAML reads an unquoted 2027-01-31 as a timestamp.
    const u = r.until instanceof Date ? r.until.toISOString().slice(0, 10) : r.until;
    if (typeof u !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(u) || Number.isNaN(Date.parse(`${u}T00:00:00Z`))) {
      throw new ConfigError(`${where(file, lineOf(text, 'until', line))}: until must be a date, YYYY-MM-DD`);
    }
    rule.until = u;
  }
  return rule;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function ruleMatches(rule: IgnoreRule, d: Difference): boolean {
  if (rule.component !== undefined && !globToRegExp(rule.component).test(d.component ?? '')) return false;
  if (rule.subject !== undefined && rule.subject !== d.subject) return false;
  if (rule.key !== undefined && !globToRegExp(rule.key).test(d.key)) return false;
  if (rule.category !== undefined && rule.category !== d.category) return false;
  if (rule.change !== undefined && rule.change !== d.change) return false;
  return true;
}

/** True once the rule's last day (UTC) is behind `now`. */
export function ruleExpired(rule: IgnoreRule, now: Date): boolean {
  if (!rule.until) return false;
  return now.getTime() >= Date.parse(`${rule.until}T00:00:00Z`) + 86_400_000;
}

function describeRule(rule: IgnoreRule): string {
  const parts = (['component', 'subject', 'key', 'category', 'change'] as const)
    .filter((k) => rule[k] !== undefined)
    .map((k) => `${k}=${rule[k]}`);
  return `${parts.join(' ') || 'every difference'} (until ${rule.until}${rule.line ? `, line ${rule.line}` : ''})`;
}

/** Drops the differences that live rules accept; expired rules stop applying and are listed. */
export function applyIgnoreRules<T extends { differences: Difference[] }>(
  report: T,
  rules: readonly IgnoreRule[],
  now: Date,
): { report: T; ignored: number; expiredRules: string[] } {
  const live = rules.filter((r) => !ruleExpired(r, now));
  const expiredRules = rules.filter((r) => ruleExpired(r, now)).map(describeRule);
  const kept = report.differences.filter((d) => !live.some((r) => ruleMatches(r, d)));
  return { report: { ...report, differences: kept }, ignored: report.differences.length - kept.length, expiredRules };
}

/** Recomputes a report's summary after filtering. */
export function summarize(differences: readonly Difference[]): DiffReport['summary'] {
  const byCategory: Partial<Record<DiffCategory, number>> = {};
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const d of differences) {
    byCategory[d.category] = (byCategory[d.category] ?? 0) + 1;
    bySeverity[d.severity] = (bySeverity[d.severity] ?? 0) + 1;
  }
  return { differences: differences.length, byCategory, bySeverity };
}

/** A report with ignore rules applied, its summary recomputed and what was ignored recorded. */
export function filterReport(report: DiffReport, rules: readonly IgnoreRule[], now: Date): DiffReport {
  const { report: kept, ignored, expiredRules } = applyIgnoreRules(report, rules, now);
  return {
    ...kept,
    summary: summarize(kept.differences),
    ...(rules.length > 0 ? { ignored: { rules: rules.length, differences: ignored, expiredRules } } : {}),
  };
}

/**
 * A word of kdiff's own vocabulary (subject, category, change) as is; anything else, from a
 * hand-edited report, quoted (a double-quoted YAML scalar, read back as the same characters).
 */
function yamlWord(s: string): string {
  return /^[a-z][a-z0-9-]*$/.test(s) ? s : quoteText(s);
}

/** kdiff.yaml text whose rules accept every difference of the given reports (`kdiff ignore --from`). */
export function rulesFromDifferences(differences: readonly Difference[]): string {
  const seen = new Set<string>();
  const lines = ['# Written by `kdiff ignore --from`: replace each TODO with the reason the difference is accepted.', 'ignore:'];
  const sorted = [...differences].sort((a, b) =>
    compareText(`${a.component ?? ''}\u0000${a.subject}\u0000${a.key}`, `${b.component ?? ''}\u0000${b.subject}\u0000${b.key}`),
  );
  for (const d of sorted) {
    const id = `${d.component ?? ''}\u0000${d.subject}\u0000${d.key}\u0000${d.category}\u0000${d.change}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (d.component !== null) lines.push(`  - component: ${quoteText(d.component)}`, `    subject: ${yamlWord(d.subject)}`);
    else lines.push(`  - subject: ${yamlWord(d.subject)}`);
    lines.push(`    key: ${quoteText(d.key)}`, `    category: ${yamlWord(d.category)}`, `    change: ${yamlWord(d.change)}`, '    reason: TODO');
  }
  if (sorted.length === 0) lines[1] = 'ignore: []';
  return lines.join('\n') + '\n';
}

/** What fails a run when neither --fail-on nor failOn says: everything but `layout` (where a thing lives). */
export const DEFAULT_FAIL_ON: readonly DiffCategory[] = CATEGORIES.filter((c) => c !== 'layout');
