/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per difference category, one result per
 * difference, located at the node path. Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { createHash } from 'node:crypto';
import type { Log, Result, ReportingDescriptor } from 'sarif';
import type { AuditReport, DiffCategory, Severity } from '../model/types.js';
import { type CiFormatOptions, counts, showValue } from './ci-common.js';

const RULES: { id: DiffCategory; text: string }[] = [
  { id: 'security', text: 'A setting that protects the node differs (authentication, authorization, TLS, encryption, exposed ports).' },
  { id: 'config', text: 'A component setting differs.' },
  { id: 'certificate', text: 'A certificate differs in identity (subject, SANs, issuer, key, usages) or status (expiring, expired).' },
  { id: 'version', text: 'A component runs a different version.' },
  { id: 'run-mode', text: 'A component runs differently (static pod, systemd daemon, DaemonSet).' },
  { id: 'presence', text: 'A component, certificate or kubeconfig exists on one side only.' },
  { id: 'layout', text: 'A file that plays the same role lives at a different path.' },
];

function level(severity: Severity, counted: boolean): Result.level {
  if (!counted) return 'note';
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

export function renderSarif(report: AuditReport, options: CiFormatOptions): string {
  const results: Result[] = [];
  for (const node of report.nodes) {
    const location = { physicalLocation: { artifactLocation: { uri: node.label.replace(/\\/g, '/') } } };
    if (node.error) {
      results.push({
        ruleId: 'kdiff/unreadable',
        level: 'error',
        message: { text: `${node.label} could not be read: ${node.error}` },
        locations: [location],
      });
      continue;
    }
    for (const d of node.differences) {
      const fullyQualifiedName = `${d.component ?? 'node'}/${d.subject}/${d.key}`;
      results.push({
        ruleId: `kdiff/${d.category}`,
        ruleIndex: RULES.findIndex((r) => r.id === d.category),
        level: level(d.severity, counts(d, options.failOn)),
        message: { text: `${d.message} (${showValue(d.left)} -> ${showValue(d.right)})` },
        locations: [{ ...location, logicalLocations: [{ name: d.key, fullyQualifiedName, kind: d.subject }] }],
        partialFingerprints: {
          'kdiffDifference/v1': createHash('sha256').update(`${node.label}\u0000${fullyQualifiedName}\u0000${d.change}`).digest('hex'),
        },
        properties: { component: d.component, subject: d.subject, change: d.change, category: d.category, severity: d.severity },
      });
    }
  }
  const sarif: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kdiff',
            version: options.version,
            informationUri: 'https://www.npmjs.com/package/kdiff',
            rules: [
              ...RULES.map((r): ReportingDescriptor => ({
                id: `kdiff/${r.id}`,
                name: r.id,
                shortDescription: { text: r.text },
                defaultConfiguration: { level: options.failOn.includes(r.id) ? 'warning' : 'note' },
              })),
              { id: 'kdiff/unreadable', name: 'unreadable', shortDescription: { text: 'A node could not be read.' }, defaultConfiguration: { level: 'error' } },
            ],
          },
        },
        automationDetails: { id: report.baseline ? `kdiff/baseline/${report.baseline.label}` : 'kdiff/majority' },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
