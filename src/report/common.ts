/** What the report formats share: options, grouping, value display, the summary sentence. */
import type { ChalkInstance } from 'chalk';
import type { DiffReport, Difference, NodeLabel } from '../model/types.js';
import type { NormalizedView } from '../diff/view.js';

export interface RenderOptions {
  /** Colours: the CLI passes `new Chalk({ level })`; without one, no colour. */
  chalk?: ChalkInstance;
  /** The normalized nodes, for `--unified` (without them it diffs only the differing values). */
  views?: { left: NormalizedView; right: NormalizedView };
}

export const NODE_WIDE = '(node)';

/**
 * What `new Chalk({ level: 0 })` does (every style returns its text unchanged), without loading
 * chalk: most output goes to a pipe or file, and start-up time counts.
 */
export const PLAIN_CHALK: ChalkInstance = (() => {
  const plain: unknown = new Proxy((...texts: unknown[]) => texts.join(' '), {
    get: (_target, prop) => (prop === 'level' ? 0 : plain),
    set: () => true,
  });
  return plain as ChalkInstance;
})();

export function chalkOf(options: RenderOptions): ChalkInstance {
  return options.chalk ?? PLAIN_CHALK;
}

/** Differences grouped by component in report order; node-wide ones under `(node)`, last. */
export function byComponent(differences: readonly Difference[]): Array<[string, Difference[]]> {
  const groups = new Map<string, Difference[]>();
  for (const d of differences) {
    const k = d.component ?? NODE_WIDE;
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === NODE_WIDE ? 1 : b === NODE_WIDE ? -1 : a < b ? -1 : a > b ? 1 : 0));
}

/** A value as one line of text; absent as `-`. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (Array.isArray(v)) return v.map(displayValue).join(',');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${displayValue(x)}`).join('; ');
  }
  return String(v);
}

/** `12 differences: 3 security, 9 config; 2 warning, 10 info.` */
export function summaryLine(report: DiffReport): string {
  const s = report.summary;
  if (s.differences === 0) return 'No differences.';
  // Most telling first, whatever order the counts were built in.
  const order = ['security', 'config', 'certificate', 'presence', 'version', 'run-mode', 'layout'];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const cats = Object.entries(s.byCategory)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const sevs = (['error', 'warning', 'info'] as const).filter((k) => s.bySeverity[k]).map((k) => `${s.bySeverity[k]} ${k}`).join(', ');
  return `${s.differences} difference${s.differences === 1 ? '' : 's'}: ${cats}; ${sevs}.`;
}

/** What kdiff.yaml accepted and which of its rules expired, or null when no rules were given. */
export function ignoredLines(report: DiffReport): string[] {
  const ig = report.ignored;
  if (!ig) return [];
  const lines = [`${ig.differences} difference${ig.differences === 1 ? '' : 's'} accepted by ${ig.rules} ignore rule${ig.rules === 1 ? '' : 's'}.`];
  for (const r of ig.expiredRules) lines.push(`Expired ignore rule, no longer applied: ${r}.`);
  return lines;
}

export function describeNode(n: NodeLabel): string {
  return `${n.label} (${n.style}, ${n.role})`;
}
