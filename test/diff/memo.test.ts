/**
 * An audit passes one memo for every node: what it keeps of the reference (settings and their
 * sorted keys, certificate identities and statuses) must give the reports computed without it, and
 * the reports stay the caller's own: plain, unfrozen, unshared with the next node's report.
 */
import { join } from 'node:path';
import { openDirectory } from '../../src/source/open.js';
import { scanTree } from '../../src/scan/index.js';
import { createDiffMemo, diffNodes, type DiffOptions } from '../../src/diff/index.js';
import type { DiffReport, NodeModel } from '../../src/model/types.js';
import { anyFrozen } from '../helpers/frozen.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const scan = async (dir: string): Promise<NodeModel> => scanTree(openDirectory(join(ROOT, dir)).tree);
const NODES = ['fixtures/seed-kubeadm-worker', 'fixtures/diff-cases/master2', 'fixtures/seed-hard-way-controller', 'fixtures/diff-cases/renewed', 'fixtures/seed-kubeadm-master'];

/** Every list among the differences' values, mutated as a caller may. */
function scribble(report: DiffReport): number {
  let lists = 0;
  for (const d of report.differences) {
    for (const v of [d.left, d.right]) {
      if (v === null || typeof v !== 'object') continue;
      for (const item of Array.isArray(v) ? [v] : Object.values(v)) {
        if (Array.isArray(item)) {
          item.push('scribbled');
          lists += 1;
        }
      }
    }
  }
  return lists;
}

test('a memo shared across nodes, identity settings and clocks gives the reports computed without it', async () => {
  const reference = await scan('fixtures/seed-kubeadm-master');
  const nodes = await Promise.all(NODES.map(scan));
  const memo = createDiffMemo();
  const settings: DiffOptions[] = [
    { normalizeIdentity: true },
    // The renewed node's certificates start in 2019 and end in 2047, the reference's 2018 to 2046/2048.
    { normalizeIdentity: false, now: new Date('2019-06-01T00:00:00Z') },
    { normalizeIdentity: true, now: new Date('2047-01-01T00:00:00Z') },
    { normalizeIdentity: true, now: new Date('2047-01-01T00:00:00Z'), expiringDays: 1000 },
  ];
  let compared = 0;
  let statuses = 0;
  let scribbled = 0;
  for (const options of settings) {
    for (const node of nodes) {
      const fresh = diffNodes(reference, node, options);
      const kept = diffNodes(reference, node, { ...options, memo });
      expect(kept).toEqual(fresh);
      expect(anyFrozen(kept)).toBeNull();
      compared += fresh.differences.length;
      statuses += fresh.differences.filter((d) => d.subject === 'certificate' && ['valid', 'expiring', 'expired', 'not-yet-valid'].includes(d.left as string)).length;
      // What the caller does with this report must not reach the next one.
      scribbled += scribble(kept);
      expect(diffNodes(reference, node, { ...options, memo })).toEqual(fresh);
    }
  }
  // The pairs differ in certificates (identities with lists, and statuses), kubeconfigs and settings.
  expect(compared).toBeGreaterThan(50);
  expect(statuses).toBeGreaterThan(0);
  expect(scribbled).toBeGreaterThan(0);
});
