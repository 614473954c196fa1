/**
 * JUnit XML: a testsuite per node, a failing testcase per difference that counts (--fail-on), so
 * GitLab and Jenkins show drift as failed tests. Schema: https://llg.cubic.org/docs/junit/
 */
import type { AuditReport } from '../model/types.js';
import { type CiFormatOptions, counts, showValue } from './ci-common.js';

function xml(s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the five specials are escaped.
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function renderJunit(report: AuditReport, options: CiFormatOptions): string {
  const out: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites: string[] = [];
  for (const node of report.nodes) {
    const cases: string[] = [];
    let f = 0;
    if (node.error) {
      errors++;
      cases.push(
        `    <testcase classname="kdiff.node" name="read node">\n      <error type="unreadable" message="${xml(node.error)}"/>\n    </testcase>`,
      );
    } else if (node.differences.length === 0) {
      cases.push(`    <testcase classname="kdiff.node" name="no drift"/>`);
    }
    for (const d of node.differences) {
      const name = `${d.subject} ${d.key} ${d.change}`;
      const cls = `kdiff.${d.component ?? 'node'}`;
      const body = `${d.message}\nleft:  ${showValue(d.left)}\nright: ${showValue(d.right)}\ncategory: ${d.category}, severity: ${d.severity}`;
      if (counts(d, options.failOn)) {
        f++;
        cases.push(
          `    <testcase classname="${xml(cls)}" name="${xml(name)}">\n      <failure type="${d.category}" message="${xml(d.message)}">${xml(body)}</failure>\n    </testcase>`,
        );
      } else {
        cases.push(`    <testcase classname="${xml(cls)}" name="${xml(name)}">\n      <system-out>${xml(`not counted (--fail-on): ${body}`)}</system-out>\n    </testcase>`);
      }
    }
    tests += cases.length;
    failures += f;
    suites.push(
      `  <testsuite name="${xml(node.label)}" tests="${cases.length}" failures="${f}" errors="${node.error ? 1 : 0}" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  const against = report.baseline ? `against ${report.baseline.label}` : 'against the fleet majority';
  out.push(`<testsuites name="${xml(`kdiff ${options.version} audit ${against}`)}" tests="${tests}" failures="${failures}" errors="${errors}">`);
  out.push(...suites);
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
