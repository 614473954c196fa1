/**
 * Every report format on the real seed pair (kubeadm v1.12 master against the hard-way controller),
 * compared with golden files. Regenerate only on purpose: UPDATE_GOLDEN=1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { diffNodes } from '../../src/diff/index.js';
import { normalizedView } from '../../src/diff/view.js';
import { formatReport, type ReportFormat } from '../../src/report/index.js';
import { scan, FIXTURES } from '../diff/real-pairs.js';

function golden(name: string, actual: string): void {
  const path = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const LEFT = 'fixtures/seed-kubeadm-master';
const RIGHT = 'fixtures/seed-hard-way-controller';
const left = scan(`${FIXTURES}/seed-kubeadm-master`);
const right = scan(`${FIXTURES}/seed-hard-way-controller`);
const report = diffNodes(left, right, { labels: { left: LEFT, right: RIGHT }, now: new Date('2026-06-01T00:00:00Z') });
const plain = { chalk: new Chalk({ level: 0 }) };

describe('report formats on the seed pair', () => {
  it.each([
    ['text', 'seed-pair.txt'],
    ['json', 'seed-pair.json'],
    ['markdown', 'seed-pair.md'],
  ] as Array<[ReportFormat, string]>)('%s matches its golden file', (format, file) => {
    golden(file, formatReport(report, format, plain));
  });

  it('unified matches its golden file', () => {
    golden('seed-pair.diff', formatReport(report, 'unified', { ...plain, views: { left: normalizedView(left), right: normalizedView(right) } }));
  });

  it('never prints a key, a token or an encryption secret of either node', () => {
    const all = (['text', 'json', 'markdown'] as ReportFormat[]).map((f) => formatReport(report, f, plain)).join('\n');
    expect(all).not.toMatch(/PRIVATE KEY|client-key-data/);
    // etcd's --initial-cluster-token names the cluster (it seeds member IDs), it authenticates nothing: shown as it is.
    expect(all).toContain('etcd-cluster-0');
    const secret = readFileSync(`${FIXTURES}/seed-hard-way-controller/var/lib/kubernetes/encryption-config.yaml`, 'utf8').match(/secret: (\S+)/)?.[1];
    expect(secret).toBeTruthy();
    expect(all).not.toContain(secret as string);
  });
});
