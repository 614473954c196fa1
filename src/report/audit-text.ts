/** Audit as text: a matrix where each difference appears once, with the nodes that have it. */
import type { AuditReport, Difference, Severity } from '../model/types.js';
import { showValue } from './ci-common.js';
import { stableStringify } from '../audit/audit.js';
import { compareText } from '../util/compare.js';
import { printable } from './printable.js';

/** Colour functions; identity when colour is off. The CLI passes chalk's. */
export interface Paint {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
}

const id = (s: string): string => s;
export const NO_PAINT: Paint = { bold: id, dim: id, red: id, yellow: id, green: id, cyan: id };

interface Row {
  d: Difference;
  nodes: string[];
}

export function groupDifferences(report: AuditReport): Row[] {
  const rows = new Map<string, Row>();
  for (const node of report.nodes) {
    for (const d of node.differences) {
      const key = stableStringify([d.component, d.subject, d.key, d.change, d.left, d.right, d.category]);
      const row = rows.get(key) ?? { d, nodes: [] };
      row.nodes.push(node.label);
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      compareText(`${a.d.component ?? ''}\u0000${a.d.subject}\u0000${a.d.key}`, `${b.d.component ?? ''}\u0000${b.d.subject}\u0000${b.d.key}`) ||
      b.nodes.length - a.nodes.length,
  );
}

function sev(p: Paint, s: Severity): string {
  return s === 'error' ? p.red(s) : s === 'warning' ? p.yellow(s) : p.dim(s);
}

export function renderAuditText(input: AuditReport, paint: Paint = NO_PAINT): string {
  const report = printable(input);
  const p = paint;
  const lines: string[] = [];
  const against = report.baseline ? `baseline ${report.baseline.label}` : 'the fleet majority';
  lines.push(p.bold(`kdiff audit: ${report.summary.nodes} node(s) against ${against}`));
  lines.push('');
  const rows = groupDifferences(report);
  let component: string | null | undefined;
  for (const { d, nodes } of rows) {
    if (d.component !== component) {
      component = d.component;
      lines.push(p.bold(p.cyan(component ?? '(node)')));
    }
    lines.push(`  ${d.subject} ${p.bold(d.key)}  ${d.change}  ${d.category}  ${sev(p, d.severity)}`);
    lines.push(`    ${report.baseline ? 'baseline' : 'majority'}: ${showValue(d.left)}`);
    lines.push(`    drifted:  ${showValue(d.right)}`);
    lines.push(`    ${d.message}`);
    lines.push(`    nodes (${nodes.length}): ${nodes.join(', ')}`);
  }
  const bad = report.nodes.filter((n) => n.error);
  if (bad.length > 0) {
    lines.push(p.bold(p.red('unreadable')));
    // The loader names the input in its message already.
    for (const n of bad) lines.push(`  ${n.error?.startsWith(n.label) ? n.error : `${n.label}: ${n.error}`}`);
  }
  if (rows.length === 0 && bad.length === 0) lines.push(p.green('No drift.'));
  lines.push('');
  const s = report.summary;
  lines.push(
    `${s.nodes} node(s), ${s.drifted} drifted, ${s.differences} difference(s)${s.unreadable ? `, ${s.unreadable} unreadable` : ''}.`,
  );
  return lines.join('\n') + '\n';
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderAuditMarkdown(input: AuditReport): string {
  const report = printable(input);
  const lines: string[] = [];
  const against = report.baseline ? `baseline \`${report.baseline.label}\`` : 'the fleet majority';
  const s = report.summary;
  lines.push(`### kdiff audit against ${against}`, '');
  lines.push(`**${s.nodes}** node(s), **${s.drifted}** drifted, **${s.differences}** difference(s)${s.unreadable ? `, **${s.unreadable}** unreadable` : ''}.`, '');
  const rows = groupDifferences(report);
  if (rows.length > 0) {
    lines.push(`| component | subject | key | change | category | severity | ${report.baseline ? 'baseline' : 'majority'} | drifted | nodes |`);
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const { d, nodes } of rows) {
      lines.push(
        `| ${md(d.component ?? '')} | ${d.subject} | \`${md(d.key)}\` | ${d.change} | ${d.category} | ${d.severity} | ${md(showValue(d.left))} | ${md(showValue(d.right))} | ${md(nodes.join(', '))} |`,
      );
    }
    lines.push('');
  }
  for (const n of report.nodes.filter((x) => x.error)) lines.push(`- :x: \`${md(n.label)}\` could not be read: ${md(n.error ?? '')}`);
  return lines.join('\n').replace(/\n*$/, '\n');
}
