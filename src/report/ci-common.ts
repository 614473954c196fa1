/** Shared by the CI formats (JUnit, SARIF): which differences count, and how a value reads. */
import type { AuditReport, DiffCategory, Difference, DiffReport } from '../model/types.js';

export interface CiFormatOptions {
  /** Categories that fail the run; differences in others are reported but do not fail. */
  failOn: readonly DiffCategory[];
  /** kdiff's version, for the tool record. */
  version: string;
}

/** A two-node report seen as an audit of one node against a baseline, so CI formats serve both. */
export function reportAsAudit(report: DiffReport): AuditReport {
  return {
    kdiff: 'audit',
    schemaVersion: 1,
    baseline: { label: report.left.label },
    nodes: [{ ...report.right, differences: report.differences }],
    summary: {
      nodes: 1,
      drifted: report.differences.length > 0 ? 1 : 0,
      differences: report.differences.length,
    },
  };
}

export function counts(d: Difference, failOn: readonly DiffCategory[]): boolean {
  return failOn.includes(d.category);
}

/** A value as one short line of text. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '(absent)';
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}
