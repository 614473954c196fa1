/**
 * The worker threads of a large audit, as the built CLI runs them (dist/: a worker script only
 * exists beside the compiled module): they read the nodes (with this thread, for a fleet that is
 * not large), and the answer is the one thread's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dist = (p: string) => join(root, 'dist', p);

interface Engine {
  runAudit: typeof import('../../src/audit/audit.js').runAudit;
}
interface Loader {
  loadNode: typeof import('../../src/scan/node-input.js').loadNode;
}
interface Differ {
  diffNodes: typeof import('../../src/diff/index.js').diffNodes;
}

beforeAll(() => {
  if (!existsSync(dist('audit/worker.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
});

describe('an audit on worker threads', () => {
  it('reads the nodes on the workers and answers as one thread does', async () => {
    const { runAudit } = (await import(dist('audit/audit.js'))) as Engine;
    const { loadNode } = (await import(dist('scan/node-input.js'))) as Loader;
    const { diffNodes } = (await import(dist('diff/index.js'))) as Differ;
    const now = new Date('2026-06-01T00:00:00Z');
    const master = join(root, 'fixtures/seed-kubeadm-master');
    const baseline = { label: 'master', model: await loadNode(master, { label: 'master', now }) };
    const paths = Array.from({ length: 300 }, (_, i) => join(root, i % 2 ? 'fixtures/seed-kubeadm-worker' : 'fixtures/seed-hard-way-controller'));
    let here = 0;
    const inputs = (count: boolean) =>
      paths.map((path, i) => ({
        label: `n${i}`,
        load: () => {
          if (count) here++;
          return loadNode(path, { label: `n${i}`, now });
        },
        source: { path, label: `n${i}`, now },
      }));
    const options = (workers: number, mainThreadMaxNodes?: number) => ({
      baseline,
      workers,
      ...(mainThreadMaxNodes !== undefined ? { mainThreadMaxNodes } : {}),
      workerDiff: { now },
      diff: (l: Parameters<Differ['diffNodes']>[0], r: Parameters<Differ['diffNodes']>[1], labels: { left: string; right: string }, sides: { left: string; right: string }) =>
        diffNodes(l, r, { labels, sides, now }),
    });
    // Beyond mainThreadMaxNodes nodes the workers read every node; this thread only hands them out
    // and keeps the answers.
    const threaded = await runAudit(inputs(true), options(2, 100));
    const single = await runAudit(inputs(false), options(0));
    expect(threaded).toEqual(single);
    expect(threaded.nodes).toHaveLength(300);
    expect(threaded.summary.drifted).toBeGreaterThan(0);
    // Messages speak of the baseline and this node, on either thread.
    const messages = threaded.nodes.flatMap((n) => n.differences.map((d) => d.message));
    expect(messages.some((m) => / on this node\b/.test(m) && / on the baseline\b/.test(m))).toBe(true);
    expect(messages.filter((m) => /\bon (left|right)\b/.test(m))).toEqual([]);
    expect(here).toBe(0);

    // Up to mainThreadMaxNodes nodes (the default is well above 300), this thread reads some too,
    // and the answer is the same.
    const shared = await runAudit(inputs(true), options(1));
    expect(shared).toEqual(single);
    expect(here).toBeGreaterThan(0);
    expect(here).toBeLessThan(300);

    // Workers that cannot start (here: a bundle that is not there) cost time, never a node: every
    // node is then read on this thread, in order, with progress for each.
    const key = Symbol.for('kdiff.bundle');
    const g = globalThis as Record<symbol, unknown>;
    g[key] = { file: join(root, 'no-such-bundle.cjs'), distUrl: new URL('../../dist/', import.meta.url).href };
    try {
      here = 0;
      let progress = 0;
      const fallback = await runAudit(inputs(true), { ...options(2), onProgress: (done: number) => (progress = done) });
      expect(fallback).toEqual(single);
      expect(here).toBe(300);
      expect(progress).toBe(300);
    } finally {
      delete g[key];
    }
  }, 60_000);
});
