/**
 * The public API from the package root (src/index.ts): every function on real fixtures, with the
 * process's stdout, stderr, console and exit spied on — the library must never use them.
 */
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as kdiff from '../../src/index.js';
import type { AuditReport, DiffReport, NodeModel } from '../../src/index.js';

const root = new URL('../../', import.meta.url).pathname;
const fx = (p: string) => join(root, 'fixtures', p);
const MASTER = fx('seed-kubeadm-master');
const WORKER = fx('seed-kubeadm-worker');
const HARD_WAY = fx('seed-hard-way-controller');
const NOW = new Date('2026-06-01T00:00:00Z');

type Spy = { mock: { calls: unknown[][] }; mockRestore: () => void };
let spies: Spy[] = [];

beforeEach(() => {
  const quiet = () => true;
  spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(quiet as never),
    jest.spyOn(process.stderr, 'write').mockImplementation(quiet as never),
    jest.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit called');
    }) as never),
    jest.spyOn(console, 'log').mockImplementation(() => undefined),
    jest.spyOn(console, 'error').mockImplementation(() => undefined),
    jest.spyOn(console, 'warn').mockImplementation(() => undefined),
    jest.spyOn(console, 'info').mockImplementation(() => undefined),
  ] as unknown as Spy[];
});

/** Jest's own warning that ESM support is experimental: Node writes it once, not the library. */
const jestWarning = (call: unknown[]) => /ExperimentalWarning: VM Modules/.test(String(call[0]));

afterEach(() => {
  const calls = spies.map((s) => s.mock.calls.filter((c) => !jestWarning(c)).length);
  for (const s of spies) s.mockRestore();
  // Every test's library calls ran with the spies on: none of them may have been touched.
  expect(calls).toEqual(spies.map(() => 0));
});

describe('scanNode', () => {
  it('reads a kubeadm master directory into its model', async () => {
    const node = await kdiff.scanNode(MASTER);
    expect(node.style).toBe('kubeadm');
    expect(node.role).toBe('control-plane');
    expect(node.components.map((c) => c.name)).toEqual(expect.arrayContaining(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']));
    expect(node.components.find((c) => c.name === 'kube-apiserver')?.runMode).toBe('static-pod');
  });

  it('reads a hard-way controller: the same components as systemd daemons', async () => {
    const node = await kdiff.scanNode(HARD_WAY, { now: NOW });
    expect(node.style).toBe('hard-way');
    expect(node.components.find((c) => c.name === 'kube-apiserver')?.runMode).toBe('systemd');
  });

  it('reads a snapshot to the same model as loadSnapshot', async () => {
    const path = fx('snapshots/kubeadm-cp-1.json');
    const viaScan = await kdiff.scanNode(path);
    const viaLoad = await kdiff.loadSnapshot(path);
    expect(viaScan).toEqual(viaLoad);
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { node: NodeModel };
    expect(viaLoad.components.map((c) => c.name)).toEqual(raw.node.components.map((c) => c.name));
  });

  it('rejects a missing path with an InputError, naming the label', async () => {
    await expect(kdiff.scanNode(fx('no-such-node'))).rejects.toBeInstanceOf(kdiff.InputError);
    await expect(kdiff.scanNode(fx('no-such-node'), { label: 'node-7' })).rejects.toThrow(/node-7: no such file/);
  });
});

describe('loadSnapshot', () => {
  it('rejects what is not a snapshot, without printing', async () => {
    await expect(kdiff.loadSnapshot(fx('snapshots/README.md'))).rejects.toBeInstanceOf(kdiff.InputError);
    await expect(kdiff.loadSnapshot(fx('snapshots'))).rejects.toThrow(/not a regular file/);
    await expect(kdiff.loadSnapshot(fx('snapshots/missing.json'))).rejects.toThrow(/no such file/);
  });
});

describe('diffNodes and formatReport', () => {
  let master: NodeModel;
  let hardWay: NodeModel;
  let report: DiffReport;
  beforeAll(async () => {
    master = await kdiff.scanNode(MASTER);
    hardWay = await kdiff.scanNode(HARD_WAY);
    report = kdiff.diffNodes(master, hardWay, { labels: { left: 'kubeadm', right: 'hard-way' } });
  });

  it('compares kubeadm with the hard way: run modes differ, labels are kept', () => {
    expect(report.kdiff).toBe('report');
    expect(report.left).toEqual({ label: 'kubeadm', style: 'kubeadm', role: 'control-plane' });
    const runModes = report.differences.filter((d) => d.subject === 'run-mode').map((d) => d.component);
    expect(runModes).toEqual(expect.arrayContaining(['kube-apiserver', 'etcd']));
    expect(report.summary.differences).toBe(report.differences.length);
  });

  it('a node against itself has no differences', () => {
    expect(kdiff.diffNodes(master, master).differences).toEqual([]);
  });

  it('renders every format; json is the report itself; no colour by default', () => {
    const json = kdiff.formatReport(report, 'json');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json.endsWith('}\n')).toBe(true);
    const text = kdiff.formatReport(report, 'text');
    expect(text).toContain('kube-apiserver');
    expect(text).not.toMatch(/\u001b\[/);
    expect(kdiff.formatReport(report, 'markdown')).toMatch(/^#|\|/m);
    const unified = kdiff.formatReport(report, 'unified', { nodes: { left: master, right: hardWay } });
    expect(unified).toMatch(/^@@|^[-+]/m);
    expect(kdiff.formatReport(report, 'junit')).toMatch(/^<\?xml/);
    const sarif = JSON.parse(kdiff.formatReport(report, 'sarif', { version: '9.9.9' })) as { version: string; runs: Array<{ tool: { driver: { version?: string } } }> };
    expect(sarif.version).toBe('2.1.0');
    expect(JSON.stringify(sarif.runs[0].tool.driver)).toContain('9.9.9');
  });

  it('colours text only when a level is passed', () => {
    expect(kdiff.formatReport(report, 'text', { color: 1 })).toMatch(/\u001b\[/);
  });

  it('rejects an unknown format', () => {
    expect(() => kdiff.formatReport(report, 'html' as never)).toThrow(/unknown report format/);
  });

  it('filterReport drops what kdiff.yaml ignores and records it', () => {
    const config = kdiff.parseConfig('ignore:\n  - category: layout\n    reason: paths differ by design\n');
    const filtered = kdiff.filterReport(report, config.ignore, NOW);
    const layout = report.differences.filter((d) => d.category === 'layout').length;
    expect(layout).toBeGreaterThan(0);
    expect(filtered.differences.some((d) => d.category === 'layout')).toBe(false);
    expect(filtered.summary.differences).toBe(report.differences.length - layout);
    expect(filtered.ignored).toEqual({ rules: 1, differences: layout, expiredRules: [] });
  });

  it('parseConfig reports a bad kdiff.yaml as a ConfigError, with the line', () => {
    expect(() => kdiff.parseConfig('ignore:\n  - key: x\n', 'k.yaml')).toThrow(kdiff.ConfigError);
    expect(() => kdiff.parseConfig('failOn: [nonsense]\n', 'k.yaml')).toThrow(/k\.yaml:1: failOn: unknown category "nonsense"/);
  });
});

describe('auditNodes', () => {
  it('audits paths against a baseline path; an unreadable node is reported, not thrown', async () => {
    const progress: number[] = [];
    const audit: AuditReport = await kdiff.auditNodes([MASTER, HARD_WAY, fx('no-such-node')], {
      baseline: MASTER,
      now: NOW,
      onProgress: (done) => progress.push(done),
    });
    expect(audit.kdiff).toBe('audit');
    expect(audit.baseline).toEqual({ label: MASTER });
    expect(audit.nodes.map((n) => n.label)).toEqual([MASTER, HARD_WAY, fx('no-such-node')]);
    expect(audit.nodes[0].differences).toEqual([]);
    expect(audit.nodes[1].differences.length).toBeGreaterThan(0);
    expect(audit.nodes[2].error).toMatch(/no such file/);
    expect(audit.summary).toMatchObject({ nodes: 3, drifted: 1, unreadable: 1 });
    expect(progress.sort()).toEqual([1, 2, 3]);
    for (const f of ['text', 'json', 'markdown', 'junit', 'sarif'] as const) expect(kdiff.formatReport(audit, f).length).toBeGreaterThan(0);
    expect(() => kdiff.formatReport(audit, 'unified')).toThrow(/two nodes/);
  });

  it('audits models against their majority; models are labelled by position or by name', async () => {
    const master = await kdiff.scanNode(MASTER);
    const hardWay = await kdiff.scanNode(HARD_WAY);
    const audit = await kdiff.auditNodes([master, { label: 'copy', model: master }, hardWay]);
    expect(audit.baseline).toBeNull();
    expect(audit.nodes.map((n) => n.label)).toEqual(['node-1', 'copy', 'node-3']);
    // Two kubeadm masters outvote one hard-way controller: only the latter drifts.
    expect(audit.nodes.map((n) => n.differences.length > 0)).toEqual([false, false, true]);
  });

  it('applies ignore rules to every node', async () => {
    const rules = kdiff.parseConfig('ignore:\n  - reason: accept everything\n').ignore;
    const audit = await kdiff.auditNodes([WORKER, MASTER], { baseline: WORKER, ignore: rules, now: NOW });
    expect(audit.summary).toMatchObject({ nodes: 2, drifted: 0, differences: 0 });
  });

  it('rejects when the baseline itself cannot be read', async () => {
    await expect(kdiff.auditNodes([MASTER], { baseline: fx('no-such-node') })).rejects.toBeInstanceOf(kdiff.InputError);
  });
});

describe('etcd readers', () => {
  it('reads status, summarizes a member database, and diffs two snapshots', () => {
    const a = readFileSync(fx('etcd/k8s-a.db'));
    const b = readFileSync(fx('etcd/k8s-b.db'));
    const expected = JSON.parse(readFileSync(fx('etcd/k8s-a.db.status.json'), 'utf8')) as { revision: number; totalKey: number };
    const snapA = kdiff.readEtcdSnapshot(a, { keys: true });
    expect(snapA.status.revision).toBe(expected.revision);
    expect(snapA.status.totalKey).toBe(expected.totalKey);
    expect(kdiff.etcdDbSummary(a)).toMatchObject({ error: null, status: snapA.status });
    expect(kdiff.etcdDbSummary(Buffer.from('not a database'))).toMatchObject({ status: null });
    const d = kdiff.diffSnapshots(snapA, kdiff.readEtcdSnapshot(b, { keys: true }), ['a', 'b']);
    expect(d.kdiff).toBe('etcd-diff');
    expect(d.changes.length).toBeGreaterThan(0);
    expect(kdiff.diffSnapshots(snapA, snapA).changes).toEqual([]);
    expect(kdiff.encryptionSummary(snapA.keys).secrets).toMatch(/encrypted|absent/);
    expect(() => kdiff.readEtcdSnapshot(Buffer.alloc(10))).toThrow(kdiff.EtcdFormatError);
  });
});

describe('redactSecrets', () => {
  it('replaces secret values with "present", keeps the rest', () => {
    const doc = { kind: 'EncryptionConfiguration', resources: [{ providers: [{ aescbc: { keys: [{ name: 'key1', secret: 'c2VjcmV0IGlzIHNlY3VyZQ==' }] } }] }] };
    const out = kdiff.redactSecrets(doc);
    expect(JSON.stringify(out)).not.toContain('c2VjcmV0');
    expect(out).toEqual({ kind: 'EncryptionConfiguration', resources: [{ providers: [{ aescbc: { keys: [{ name: 'key1', secret: 'present' }] } }] }] });
  });
});
