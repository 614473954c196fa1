/** Human output: grouped by component, left and right side by side, a summary line. */
import type { ChalkInstance } from 'chalk';
import type { DiffReport, Difference, Severity } from '../model/types.js';
import { printable } from './printable.js';
import { type RenderOptions, byComponent, chalkOf, describeNode, displayValue, ignoredLines, summaryLine } from './common.js';

const VALUE_WIDTH = 32;
const KEY_MAX = 36;

export function render(input: DiffReport, options: RenderOptions = {}): string {
  const report = printable(input);
  const c = chalkOf(options);
  const out: string[] = [];
  out.push(`${c.bold('left: ')} ${describeNode(report.left)}`);
  out.push(`${c.bold('right:')} ${describeNode(report.right)}`);
  const keyWidth = Math.min(KEY_MAX, Math.max(3, ...report.differences.map((d) => d.key.length)));
  for (const [component, diffs] of byComponent(report.differences)) {
    out.push('');
    const indent = ' '.repeat(2 + 8 + 12);
    out.push(`${c.bold.underline(component)}${' '.repeat(Math.max(1, indent.length + keyWidth + 1 - component.length))}${c.dim(pad('left', VALUE_WIDTH))} ${c.dim('right')}`);
    for (const d of diffs) out.push(...row(d, keyWidth, c));
  }
  out.push('');
  out.push(c.bold(summaryLine(report)));
  for (const line of ignoredLines(report)) out.push(line);
  return `${out.join('\n')}\n`;
}

function row(d: Difference, keyWidth: number, c: ChalkInstance): string[] {
  const keys = wrap(d.key, keyWidth);
  const lefts = wrap(displayValue(d.left), VALUE_WIDTH);
  const rights = wrap(displayValue(d.right), VALUE_WIDTH);
  const lines: string[] = [];
  const n = Math.max(keys.length, lefts.length, rights.length);
  for (let i = 0; i < n; i++) {
    const sev = i === 0 ? severity(d.severity, c) : ' '.repeat(8);
    const cat = i === 0 ? pad(d.category, 12) : ' '.repeat(12);
    const l = lefts[i] ?? '';
    const r = rights[i] ?? '';
    const line = `  ${sev}${cat}${pad(keys[i] ?? '', keyWidth)} ${c.red(pad(l, VALUE_WIDTH))} ${c.green(r)}`;
    lines.push(line.replace(/\s+$/, ''));
  }
  lines.push(`${' '.repeat(22)}${c.dim(d.message)}`);
  return lines;
}

function severity(s: Severity, c: ChalkInstance): string {
  const text = pad(s, 8);
  if (s === 'error') return c.red.bold(text);
  if (s === 'warning') return c.yellow(text);
  return c.cyan(text);
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/** Splits text into lines of at most `width`, after a `,` `;` space, `/` or `.` where it can. */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = -1;
    // List separators first, then path separators, then dots: `apiserver.` / `crt` reads badly.
    for (const sep of [/[,; ]/, /\//, /[.]/]) {
      for (let i = width; i > width / 3 && cut < 0; i--) if (sep.test(rest[i - 1])) cut = i;
      if (cut >= 0) break;
    }
    if (cut < 0) cut = width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
}
