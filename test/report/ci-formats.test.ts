import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit } from '../../src/report/junit.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderAuditText, renderAuditMarkdown } from '../../src/report/audit-text.js';
import type { AuditReport, Difference } from '../../src/model/types.js';

const d = (over: Partial<Difference>): Difference => ({
  component: 'kube-apiserver', subject: 'flag', key: '--anonymous-auth', change: 'changed', category: 'security',
  severity: 'warning', left: 'false', right: 'true', message: 'Anonymous requests are <allowed> & "served".', ...over,
});

const audit: AuditReport = {
  kdiff: 'audit', schemaVersion: 1, baseline: { label: 'baseline.json' },
  nodes: [
    { label: 'nodes/w1.tgz', style: 'kubeadm', role: 'worker', differences: [] },
    { label: 'nodes/w2', style: 'kubeadm', role: 'worker', differences: [d({}), d({ key: '--v', category: 'config', severity: 'info', left: '2', right: '4', message: 'Log level differs.' })] },
    { label: 'nodes/w3', style: 'kubeadm', role: 'worker', differences: [d({})] },
    { label: 'nodes/bad.tgz', style: 'unknown', role: 'unknown', differences: [], error: 'not a tar archive' },
  ],
  summary: { nodes: 4, drifted: 2, differences: 3, unreadable: 1 },
};

describe('JUnit', () => {
  const xml = renderJunit(audit, { failOn: ['security'], version: '0.1.0' });
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(xml);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('has a testsuite per node and a failing testcase per counted difference', () => {
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s: Record<string, string>) => s['@_name'])).toEqual(['nodes/w1.tgz', 'nodes/w2', 'nodes/w3', 'nodes/bad.tgz']);
    expect(suites.map((s: Record<string, string>) => s['@_failures'])).toEqual(['0', '1', '1', '0']);
    expect(doc.testsuites['@_failures']).toBe('2');
    expect(doc.testsuites['@_errors']).toBe('1');
    const w2 = suites[1].testcase;
    expect(w2[0].failure['@_message']).toBe('Anonymous requests are <allowed> & "served".');
    expect(w2[1].failure).toBeUndefined();
    expect(suites[3].testcase[0].error['@_message']).toBe('not a tar archive');
  });
});

describe('SARIF', () => {
  const sarif = JSON.parse(renderSarif(audit, { failOn: ['security'], version: '0.1.0' }));

  it('is a SARIF 2.1.0 log with a rule per category', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const rules = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    expect(rules).toEqual(expect.arrayContaining(['kdiff/security', 'kdiff/config', 'kdiff/layout', 'kdiff/unreadable']));
  });

  it('has a result per difference, located at the node path, with ruleIndex pointing at its rule', () => {
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(4);
    for (const r of results.filter((x: { ruleIndex?: number }) => x.ruleIndex !== undefined)) {
      expect(sarif.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    }
    expect(results.map((r: { level: string }) => r.level)).toEqual(['warning', 'note', 'warning', 'error']);
    expect(results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('nodes/w2');
    expect(results[0].message.text).toContain('(false -> true)');
  });
});

describe('audit text and markdown', () => {
  it('shows each difference once with the nodes that have it', () => {
    const text = renderAuditText(audit);
    expect(text.match(/--anonymous-auth/g)).toHaveLength(1);
    expect(text).toContain('nodes (2): nodes/w2, nodes/w3');
    expect(text).toContain('nodes/bad.tgz: not a tar archive');
    expect(text.trimEnd().split('\n').pop()).toBe('4 node(s), 2 drifted, 3 difference(s), 1 unreadable.');
  });

  it('is a markdown table for PR comments', () => {
    const md = renderAuditMarkdown(audit);
    expect(md).toContain('| kube-apiserver | flag | `--anonymous-auth` | changed | security | warning | false | true | nodes/w2, nodes/w3 |');
    expect(md).toContain(':x: `nodes/bad.tgz` could not be read');
  });
});
