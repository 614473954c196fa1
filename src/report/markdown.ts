/** GitHub-flavoured Markdown, for a pull-request comment: one table per component. */
import type { DiffReport } from '../model/types.js';
import { printable } from './printable.js';
import { type RenderOptions, NODE_WIDE, byComponent, displayValue, summaryLine, ignoredLines } from './common.js';

export function render(input: DiffReport, options: RenderOptions = {}): string {
  void options;
  const report = printable(input);
  const out: string[] = [];
  out.push(`## kdiff: ${code(report.left.label)} vs ${code(report.right.label)}`);
  out.push('');
  out.push('| | node | style | role |');
  out.push('|---|---|---|---|');
  out.push(`| left | ${code(report.left.label)} | ${report.left.style} | ${report.left.role} |`);
  out.push(`| right | ${code(report.right.label)} | ${report.right.style} | ${report.right.role} |`);
  out.push('');
  out.push(`**${summaryLine(report)}**`);
  for (const line of ignoredLines(report)) out.push('', line);
  for (const [component, diffs] of byComponent(report.differences)) {
    out.push('');
    out.push(`### ${component === NODE_WIDE ? 'Node-wide' : code(component)}`);
    out.push('');
    out.push('| severity | category | key | left | right | what to do |');
    out.push('|---|---|---|---|---|---|');
    for (const d of diffs) {
      const sev = d.severity === 'error' ? '**error**' : d.severity;
      out.push(`| ${sev} | ${d.category} | ${code(d.key)} | ${valueCell(d.left)} | ${valueCell(d.right)} | ${cell(d.message)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

function valueCell(v: unknown): string {
  return v === null || v === undefined ? '_unset_' : code(displayValue(v));
}

/** Text safe inside a table cell: pipes escaped, no line breaks, no HTML. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span that survives backticks and pipes inside a table. */
function code(s: string): string {
  const body = s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
  const fence = body.includes('`') ? '``' : '`';
  const space = fence.length > 1 ? ' ' : '';
  return `${fence}${space}${body}${space}${fence}`;
}
