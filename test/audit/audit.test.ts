import { runAudit, type AuditInput, type DiffFn } from '../../src/audit/audit.js';
import type { Difference, NodeModel } from '../../src/model/types.js';

/** A tiny model with flags, and a differ that compares flag values: enough to test the fleet logic. */
function node(flags: Record<string, string>): NodeModel {
  return {
    style: 'kubeadm',
    styleEvidence: [],
    role: 'worker',
    roleEvidence: [],
    components: [
      { name: 'kubelet', runMode: 'systemd', sources: [], image: null, binary: '/usr/bin/kubelet', version: null, enabled: true,
        flags: Object.entries(flags).map(([name, value]) => ({ name, value, source: 'x:1' })) },
    ],
    extraStaticPods: [],
    certificates: [],
    kubeconfigs: [],
    configs: [],
    findings: [],
  };
}

const flagDiff: DiffFn = (l, r, labels) => {
  const lf = new Map(l.components[0].flags.map((f) => [f.name, f.value]));
  const rf = new Map(r.components[0].flags.map((f) => [f.name, f.value]));
  const differences: Difference[] = [];
  for (const k of [...new Set([...lf.keys(), ...rf.keys()])].sort()) {
    const a = lf.get(k);
    const b = rf.get(k);
    if (a === b) continue;
    differences.push({
      component: 'kubelet', subject: 'flag', key: k,
      change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed',
      category: k === '--read-only-port' ? 'security' : 'config', severity: 'warning',
      left: a ?? null, right: b ?? null, message: `${k} differs`,
    });
  }
  return { kdiff: 'report', schemaVersion: 1, left: { label: labels.left, style: l.style, role: l.role },
    right: { label: labels.right, style: r.style, role: r.role }, differences,
    summary: { differences: differences.length, byCategory: {}, bySeverity: {} } };
};

function inputs(models: Record<string, NodeModel | Error>): AuditInput[] {
  return Object.entries(models).map(([label, m]) => ({
    label,
    load: async () => {
      if (m instanceof Error) throw m;
      return m;
    },
  }));
}

const healthy = { '--max-pods': '110', '--read-only-port': '0' };

describe('runAudit', () => {
  it('against a baseline flags exactly the drifted nodes', async () => {
    const report = await runAudit(
      inputs({ w1: node(healthy), w2: node({ ...healthy, '--read-only-port': '10255' }), w3: node(healthy), w4: node({ '--max-pods': '110' }) }),
      { diff: flagDiff, baseline: { label: 'baseline.json', model: node(healthy) } },
    );
    expect(report.baseline).toEqual({ label: 'baseline.json' });
    expect(report.nodes.map((n) => [n.label, n.differences.map((d) => `${d.key}:${d.change}`)])).toEqual([
      ['w1', []],
      ['w2', ['--read-only-port:changed']],
      ['w3', []],
      ['w4', ['--read-only-port:removed']],
    ]);
    expect(report.summary).toEqual({ nodes: 4, drifted: 2, differences: 2 });
  });

  it('without a baseline finds the odd one out, even when it is the first node', async () => {
    const report = await runAudit(
      inputs({ odd: node({ ...healthy, '--read-only-port': '10255', '--v': '4' }), a: node(healthy), b: node(healthy), c: node(healthy) }),
      { diff: flagDiff },
    );
    expect(report.baseline).toBeNull();
    const odd = report.nodes.find((n) => n.label === 'odd')!;
    expect(odd.differences.map((d) => [d.key, d.change, d.left, d.right])).toEqual([
      ['--read-only-port', 'changed', '0', '10255'],
      ['--v', 'added', null, '4'],
    ]);
    expect(report.nodes.filter((n) => n.label !== 'odd').every((n) => n.differences.length === 0)).toBe(true);
    expect(report.summary).toEqual({ nodes: 4, drifted: 1, differences: 2 });
  });

  it('keeps the differ\'s own entry when the odd node differs from a majority that agrees with the first node', async () => {
    const report = await runAudit(inputs({ a: node(healthy), b: node(healthy), odd: node({ ...healthy, '--max-pods': '50' }) }), { diff: flagDiff });
    expect(report.nodes[2].differences).toEqual([
      expect.objectContaining({ key: '--max-pods', left: '110', right: '50', message: '--max-pods differs' }),
    ]);
  });

  it('reports an unreadable node and audits the others', async () => {
    const report = await runAudit(inputs({ bad: new Error('broken archive'), a: node(healthy), b: node({ ...healthy, '--v': '2' }) }), {
      diff: flagDiff,
      baseline: { label: 'base', model: node(healthy) },
    });
    expect(report.nodes[0]).toMatchObject({ label: 'bad', error: 'broken archive', differences: [] });
    expect(report.summary).toEqual({ nodes: 3, drifted: 1, differences: 1, unreadable: 1 });
  });

  it('applies the filter (ignore rules) to every node', async () => {
    const report = await runAudit(inputs({ a: node({ ...healthy, '--v': '2' }) }), {
      diff: flagDiff,
      baseline: { label: 'base', model: node(healthy) },
      filter: (ds) => ds.filter((d) => d.key !== '--v'),
    });
    expect(report.summary.drifted).toBe(0);
  });

  it('calls onProgress once per node', async () => {
    const seen: number[] = [];
    await runAudit(inputs({ a: node(healthy), b: node(healthy) }), { diff: flagDiff, onProgress: (d) => seen.push(d) });
    expect(seen).toEqual([1, 2]);
  });
});
