/**
 * What changed between two etcd snapshots: the latest revision of each key on both sides,
 * deleted keys left out, grouped by Kubernetes resource. Values are compared, never returned.
 */
import { classifyValue, parseRegistryKey } from './kubernetes.js';
import type { EtcdSnapshot, LatestKey } from './snapshot.js';

export interface KeyFacts {
  size: number;
  createRevision: number;
  modRevision: number;
  version: number;
  /** `plain`, `other`, or the encryption provider (`aescbc:v1:key1`). */
  storage: string;
}

export interface EtcdKeyChange {
  key: string;
  resource: string;
  namespace: string | null;
  name: string;
  change: 'added' | 'removed' | 'changed';
  left: KeyFacts | null;
  right: KeyFacts | null;
  /** For `changed`: the value bytes are identical (the key was written again, or deleted and recreated, with the same value). */
  sameValue?: boolean;
}

export interface EtcdResourceCount {
  resource: string;
  added: number;
  removed: number;
  changed: number;
}

export interface EtcdSide {
  label: string;
  revision: number;
  keys: number;
}

/** `kdiff etcd diff --format json`. */
export interface EtcdDiff {
  kdiff: 'etcd-diff';
  schemaVersion: 1;
  left: EtcdSide;
  right: EtcdSide;
  summary: { added: number; removed: number; changed: number; unchanged: number };
  resources: EtcdResourceCount[];
  changes: EtcdKeyChange[];
}

function facts(k: LatestKey): KeyFacts {
  const c = classifyValue(k.kv.value);
  return {
    size: k.kv.value.length,
    createRevision: k.kv.createRevision,
    modRevision: k.kv.modRevision,
    version: k.kv.version,
    storage: c.kind === 'encrypted' ? (c.provider ?? 'unknown') : c.kind === 'other' ? 'other' : 'plain',
  };
}

function live(s: EtcdSnapshot): Map<string, LatestKey> {
  const m = new Map<string, LatestKey>();
  for (const k of s.keys) if (k.deletedAt === null) m.set(k.kv.key.toString('latin1'), k);
  return m;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function diffSnapshots(left: EtcdSnapshot, right: EtcdSnapshot, labels: [string, string]): EtcdDiff {
  const l = live(left);
  const r = live(right);
  const changes: EtcdKeyChange[] = [];
  let unchanged = 0;
  const push = (k: LatestKey, change: EtcdKeyChange['change'], lf: KeyFacts | null, rf: KeyFacts | null, extra: Partial<EtcdKeyChange> = {}): void => {
    const { resource, namespace, name } = parseRegistryKey(k.key);
    changes.push({ key: k.key, resource, namespace, name, change, left: lf, right: rf, ...extra });
  };
  for (const [id, lk] of l) {
    const rk = r.get(id);
    if (!rk) {
      push(lk, 'removed', facts(lk), null);
      continue;
    }
    const same = lk.kv.value.equals(rk.kv.value);
    if (same && lk.kv.modRevision === rk.kv.modRevision && lk.kv.createRevision === rk.kv.createRevision) {
      unchanged++;
      continue;
    }
    push(lk, 'changed', facts(lk), facts(rk), same ? { sameValue: true } : {});
  }
  for (const [id, rk] of r) if (!l.has(id)) push(rk, 'added', null, facts(rk));
  changes.sort((a, b) => byString(a.resource, b.resource) || byString(a.key, b.key));
  const counts = new Map<string, EtcdResourceCount>();
  for (const c of changes) {
    let row = counts.get(c.resource);
    if (!row) counts.set(c.resource, (row = { resource: c.resource, added: 0, removed: 0, changed: 0 }));
    row[c.change]++;
  }
  const total = (kind: EtcdKeyChange['change']): number => changes.filter((c) => c.change === kind).length;
  return {
    kdiff: 'etcd-diff',
    schemaVersion: 1,
    left: { label: labels[0], revision: left.status.revision, keys: l.size },
    right: { label: labels[1], revision: right.status.revision, keys: r.size },
    summary: { added: total('added'), removed: total('removed'), changed: total('changed'), unchanged },
    resources: [...counts.values()],
    changes,
  };
}
