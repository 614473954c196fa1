/** Report formats, one file each; `formatReport` picks one. */
import type { DiffReport } from '../model/types.js';
import type { RenderOptions } from './common.js';
import { render as renderText } from './text.js';
import { render as renderJson } from './json.js';
import { render as renderMarkdown } from './markdown.js';
import { render as renderUnified } from './unified.js';

export type { RenderOptions } from './common.js';

export const REPORT_FORMATS = ['text', 'json', 'markdown', 'unified'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function formatReport(report: DiffReport, format: ReportFormat = 'text', options: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report, options);
    case 'markdown':
      return renderMarkdown(report, options);
    case 'unified':
      return renderUnified(report, options);
    case 'text':
      return renderText(report, options);
    default:
      throw new Error(`unknown report format: ${String(format)}`);
  }
}
