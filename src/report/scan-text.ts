/** `kdiff scan --format text`: the node model as a table a person reads at a glance. */
import type { Component, NodeModel } from '../model/types.js';
import { printable, printableText } from './printable.js';

export interface ScanTextOptions {
  /** Shown in the heading: the path the node was read from. */
  label?: string;
}

function table(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

function enabled(c: Component): string {
  if (c.masked) return 'masked';
  return c.enabled === null ? '-' : c.enabled ? 'yes' : 'no';
}

/** Renders a scanned node as text. */
export function renderScanText(input: NodeModel, options: ScanTextOptions = {}): string {
  const node = printable(input);
  const out: string[] = [];
  if (options.label) out.push(`Node: ${printableText(options.label)}`);
  out.push(`Style: ${node.style}`);
  for (const e of node.styleEvidence) out.push(`  - ${e}`);
  out.push(`Role: ${node.role}`);
  for (const e of node.roleEvidence) out.push(`  - ${e}`);
  out.push('');
  if (node.components.length === 0) out.push('No Kubernetes components found.');
  else {
    const rows = [['COMPONENT', 'RUN MODE', 'SOURCE', 'VERSION', 'ENABLED', 'FLAGS']];
    for (const c of node.components) {
      rows.push([c.name, c.runMode, c.sources[0] ?? '-', c.version ?? '-', enabled(c), String(c.flags.length)]);
    }
    out.push(...table(rows));
  }
  if (node.extraStaticPods.length > 0) {
    out.push('', 'Other static pods:');
    out.push(...table(node.extraStaticPods.map((p) => ['  ' + p.name, p.image ?? '-', p.path])));
  }
  if (node.configs.length > 0) {
    out.push('', 'Config files:');
    out.push(...table(node.configs.map((c) => ['  ' + c.path, c.kind, c.component ?? '-'])));
  }
  out.push('', `Certificates: ${node.certificates.length}   Kubeconfigs: ${node.kubeconfigs.length}`);
  out.push('', node.findings.length === 0 ? 'Findings: none' : `Findings (${node.findings.length}):`);
  for (const f of node.findings) {
    const where = f.path ? `${f.path}${f.line !== undefined ? `:${f.line}` : ''}` : '';
    out.push(`  ${f.severity.padEnd(7)}  ${f.code}${where ? `  ${where}` : ''}`);
    out.push(`           ${f.message}`);
  }
  return out.join('\n') + '\n';
}
