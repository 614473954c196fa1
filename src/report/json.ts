/** The report contract (design.md), 2-space indented, one trailing newline. */
import type { DiffReport } from '../model/types.js';
import type { RenderOptions } from './common.js';

export function render(report: DiffReport, options: RenderOptions = {}): string {
  void options;
  return `${JSON.stringify(report, null, 2)}\n`;
}
