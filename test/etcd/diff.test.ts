import { join } from 'node:path';
import { readEtcdSnapshot } from '../../src/etcd/snapshot.js';
import { diffSnapshots } from '../../src/etcd/diff.js';
import { FIXTURES, fixture, kdiff, recordedKeys } from './helpers.js';

/** The truth, from what etcdctl get returned before and after. */
function expected(a: string, b: string): { added: string[]; removed: string[]; changed: string[] } {
  const l = new Map(recordedKeys(a).kvs.map((kv) => [kv.key, kv]));
  const r = new Map(recordedKeys(b).kvs.map((kv) => [kv.key, kv]));
  return {
    added: [...r.keys()].filter((k) => !l.has(k)).sort(),
    removed: [...l.keys()].filter((k) => !r.has(k)).sort(),
    changed: [...l.keys()].filter((k) => r.has(k) && (l.get(k)?.mod_revision !== r.get(k)?.mod_revision)).sort(),
  };
}

describe('kdiff etcd diff lists exactly the keys that changed between two real snapshots', () => {
  const a = readEtcdSnapshot(fixture('k8s-a.db'), { keys: true });
  const b = readEtcdSnapshot(fixture('k8s-b.db'), { keys: true });
  const d = diffSnapshots(a, b, ['a', 'b']);

  it('added, removed and changed are the keys etcdctl get saw differ', () => {
    const want = expected('k8s-a.db', 'k8s-b.db');
    const got = (kind: string): string[] => d.changes.filter((c) => c.change === kind).map((c) => c.key).sort();
    expect(got('added')).toEqual(want.added);
    expect(got('removed')).toEqual(want.removed);
    expect(got('changed')).toEqual(want.changed);
    expect(want.added.length + want.removed.length + want.changed.length).toBe(9);
    expect(d.summary).toEqual({ added: 3, removed: 2, changed: 4, unchanged: 5 });
  });

  it('a key deleted between the snapshots and never recreated is not listed', () => {
    expect(d.changes.some((c) => c.key === '/registry/events/default/web-0.1')).toBe(false);
    expect(d.changes.some((c) => c.key === '/registry/pods/default/web-1')).toBe(false);
  });

  it('groups by resource the Kubernetes way, with sizes, revisions and storage but no value', () => {
    expect(d.resources).toEqual([
      { resource: 'clusterroles', added: 0, removed: 1, changed: 0 },
      { resource: 'configmaps', added: 0, removed: 0, changed: 1 },
      { resource: 'deployments', added: 1, removed: 0, changed: 0 },
      { resource: 'namespaces', added: 0, removed: 0, changed: 1 },
      { resource: 'nodes', added: 1, removed: 0, changed: 0 },
      { resource: 'pods', added: 0, removed: 0, changed: 1 },
      { resource: 'secrets', added: 1, removed: 1, changed: 1 },
    ]);
    const c = d.changes.find((x) => x.key === '/registry/secrets/default/c');
    expect(c).toMatchObject({ resource: 'secrets', namespace: 'default', name: 'c', change: 'changed' });
    expect(c?.left).toMatchObject({ storage: 'aescbc:v1:key1', modRevision: 6 });
    expect(c?.right).toMatchObject({ storage: 'secretbox:v1:key3', modRevision: 28 });
    const node = d.changes.find((x) => x.key === '/registry/nodes/worker-1');
    expect(node).toMatchObject({ namespace: null, name: 'worker-1', change: 'added', left: null });
    expect(d.changes.find((x) => x.key === '/registry/namespaces/default')?.sameValue).toBe(true);
    expect(JSON.stringify(d)).not.toMatch(/"value"/);
  });

  it('CLI: exit 1 when keys differ, 0 for the same snapshot, text and json', async () => {
    const pa = join(FIXTURES, 'k8s-a.db');
    const pb = join(FIXTURES, 'k8s-b.db');
    const t = await kdiff('etcd', 'diff', pa, pb);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('3 added, 2 removed, 4 changed, 5 unchanged');
    expect(t.stdout).toContain('  ~ default/c  (size 103 → 106 B, mod revision 6 → 28, storage aescbc:v1:key1 → secretbox:v1:key3)\n');
    expect(t.stdout).toContain('  - admin  (404 B, mod revision 12, plain)\n');
    const j = await kdiff('etcd', 'diff', pa, pb, '--format', 'json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).summary).toEqual(d.summary);
    const same = await kdiff('etcd', 'diff', pb, join(FIXTURES, 'member-snap-db'));
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No key was added, removed or changed (12 keys the same)');
  });

  it('large.db against k8s-b.db: every key of one side is accounted for', () => {
    const large = readEtcdSnapshot(fixture('large.db'), { keys: true });
    const x = diffSnapshots(b, large, ['b', 'large']);
    const want = expected('k8s-b.db', 'large.db');
    expect(x.summary.added).toBe(want.added.length);
    expect(x.summary.removed).toBe(want.removed.length);
    expect(x.summary.added + x.summary.changed + x.summary.unchanged).toBe(recordedKeys('large.db').kvs.length);
  });
});
