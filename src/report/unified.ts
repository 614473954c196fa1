/**
 * `--unified`: each differing component's normalized settings as a unified diff, so a reader sees
 * the differences in their context. Without the normalized views, the differing values only.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { ChalkInstance } from 'chalk';
import type { DiffReport, Difference } from '../model/types.js';
import { printable } from './printable.js';
import { type RenderOptions, byComponent, chalkOf, displayValue, summaryLine } from './common.js';

export function render(input: DiffReport, options: RenderOptions = {}): string {
  const report = printable(input);
  const views = printable(options.views);
  const c = chalkOf(options);
  const parts: string[] = [];
  for (const [section, diffs] of byComponent(report.differences)) {
    const left = views ? (views.left[section] ?? []) : linesOf(diffs, 'left');
    const right = views ? (views.right[section] ?? []) : linesOf(diffs, 'right');
    const patch = createTwoFilesPatch(
      `${report.left.label}/${section}`,
      `${report.right.label}/${section}`,
      text(left),
      text(right),
      undefined,
      undefined,
      { context: 3, headerOptions: FILE_HEADERS_ONLY },
    );
    parts.push(colour(patch, c));
  }
  parts.push(`${c.bold(summaryLine(report))}\n`);
  return parts.join('');
}

function linesOf(diffs: readonly Difference[], side: 'left' | 'right'): string[] {
  const lines: string[] = [];
  for (const d of diffs) {
    const v = side === 'left' ? d.left : d.right;
    if (v !== null && v !== undefined) lines.push(`${d.subject} ${d.key}: ${displayValue(v)}`);
  }
  return lines.sort();
}

function text(lines: readonly string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function colour(patch: string, c: ChalkInstance): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}
