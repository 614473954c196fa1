/**
 * Variants of the real seed fixtures, made in a temporary directory: a copy of a seed node tree,
 * optionally a certificate overlay from fixtures/diff-cases/, then text edits. Scanned and diffed
 * the way `kdiff A B` does it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDirectory } from '../../src/source/open.js';
import { scanTree } from '../../src/scan/index.js';
import { diffNodes, type DiffOptions } from '../../src/diff/index.js';
import type { DiffReport, NodeModel } from '../../src/model/types.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const FIXTURES = join(ROOT, 'fixtures');

/** One text edit: in a node path, replace a string or pattern (it must match, so a stale edit fails loudly). */
export type Edit = [nodePath: string, find: string | RegExp, replace: string];

export interface Variant {
  /** The seed fixture to copy (`seed-kubeadm-master`). */
  base: string;
  /** A directory under fixtures/diff-cases/ laid over the copy. */
  overlay?: string;
  /** Files moved within the tree (node paths without the leading `/`), before the edits. */
  moves?: Array<[from: string, to: string]>;
  edits?: Edit[];
}

const made: string[] = [];

/** A scratch copy of a fixture tree with the variant applied; removed by `cleanUp`. */
export function makeVariant(v: Variant): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdiff-variant-'));
  made.push(dir);
  cpSync(join(FIXTURES, v.base), dir, { recursive: true, verbatimSymlinks: true });
  if (v.overlay) cpSync(join(FIXTURES, 'diff-cases', v.overlay), dir, { recursive: true, verbatimSymlinks: true });
  for (const [from, to] of v.moves ?? []) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    renameSync(join(dir, from), join(dir, to));
  }
  for (const [path, find, replace] of v.edits ?? []) {
    const file = join(dir, path);
    if (!existsSync(file)) throw new Error(`variant edit: no ${path} in ${v.base}`);
    const text = readFileSync(file, 'utf8');
    const next = typeof find === 'string' ? text.split(find).join(replace) : text.replace(find, replace);
    if (next === text) throw new Error(`variant edit: ${String(find)} not found in ${path}`);
    writeFileSync(file, next);
  }
  return dir;
}

export function cleanUp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function scan(dir: string): NodeModel {
  return scanTree(openDirectory(dir).tree);
}

export function diffTrees(left: Variant | string, right: Variant | string, options: DiffOptions = {}): DiffReport {
  const path = (v: Variant | string) => (typeof v === 'string' ? join(FIXTURES, v) : makeVariant(v));
  return diffNodes(scan(path(left)), scan(path(right)), options);
}

/** A line per difference, enough to read a failing expectation at a glance. */
export function brief(r: DiffReport): string[] {
  return r.differences.map((d) => `${d.component ?? '(node)'} ${d.subject} ${d.key} ${d.change} ${d.category}/${d.severity}`);
}

/** Edits that turn the seed master (`master`, 10.240.0.20) into a second master of its cluster (`master2`, 10.240.0.21). */
export const MASTER2_EDITS: Edit[] = [
  ...['kube-apiserver', 'etcd'].map((m): Edit => [`etc/kubernetes/manifests/${m}.yaml`, '10.240.0.20', '10.240.0.21']),
  ['etc/kubernetes/manifests/etcd.yaml', '--name=master\n', '--name=master2\n'],
  ['etc/kubernetes/manifests/etcd.yaml', '--initial-cluster=master=', '--initial-cluster=master2='],
  ...['admin.conf', 'controller-manager.conf', 'scheduler.conf', 'kubelet.conf'].map((k): Edit => [`etc/kubernetes/${k}`, 'https://10.240.0.20:6443', 'https://10.240.0.21:6443']),
];
