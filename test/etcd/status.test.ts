import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readEtcdSnapshot, etcdDbSummary } from '../../src/etcd/snapshot.js';
import { FIXTURES, SNAPSHOTS, fixture, fixtureText, kdiff, recordedKeys } from './helpers.js';

describe('kdiff etcd status equals etcdctl snapshot status on real snapshots', () => {
  it.each(SNAPSHOTS)('%s: the figures equal etcdctl --write-out=json', (name) => {
    const snap = readEtcdSnapshot(fixture(name));
    expect(snap.status).toEqual(JSON.parse(fixtureText(`${name}.status.json`)));
  });

  it.each(SNAPSHOTS.flatMap((n) => ['json', 'table', 'simple'].map((f) => [n, f])))('%s --format %s is etcdctl\'s output byte for byte', async (name, format) => {
    const r = await kdiff('etcd', 'status', join(FIXTURES, name), '--format', format);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fixtureText(`${name}.status.${format}`));
  });

  it('the etcdctl flag spelling (-w) works too', async () => {
    const r = await kdiff('etcd', 'status', join(FIXTURES, 'large.db'), '-w', 'table');
    expect(r.stdout).toBe(fixtureText('large.db.status.table'));
  });

  it('tells a whole etcdctl snapshot from a copied member database by the SHA-256 trailer', () => {
    for (const name of ['empty.db', 'k8s-a.db', 'k8s-b.db', 'large.db']) expect(readEtcdSnapshot(fixture(name)).trailer).toBe('ok');
    expect(readEtcdSnapshot(fixture('member-snap-db')).trailer).toBe('absent');
  });

  it('a member database and the snapshot saved at the same moment have the same figures', () => {
    expect(readEtcdSnapshot(fixture('member-snap-db')).status).toEqual(readEtcdSnapshot(fixture('k8s-b.db')).status);
  });

  it('reads the mvcc meta: compaction and consistent index', () => {
    const snap = readEtcdSnapshot(fixture('large.db'));
    expect(snap.mvcc.finishedCompactRevision).toBe(snap.mvcc.scheduledCompactRevision);
    expect(snap.mvcc.finishedCompactRevision).toBeGreaterThan(3000);
    expect(snap.mvcc.consistentIndex).toBeGreaterThan(snap.status.revision);
    expect(readEtcdSnapshot(fixture('empty.db')).mvcc.finishedCompactRevision).toBeNull();
  });

  it.each(['k8s-a.db', 'k8s-b.db', 'large.db', 'empty.db'])('%s: the live keys and their revisions are the ones etcdctl get returned', (name) => {
    const snap = readEtcdSnapshot(fixture(name), { keys: true });
    const live = snap.keys.filter((k) => k.deletedAt === null).map((k) => ({
      key: k.key,
      create_revision: k.kv.createRevision,
      mod_revision: k.kv.modRevision,
      version: k.kv.version,
      value_size: k.kv.value.length,
      ...(name === 'large.db' ? {} : { value_sha256: createHash('sha256').update(k.kv.value).digest('hex') }),
    }));
    const recorded = recordedKeys(name);
    expect(live).toEqual(recorded.kvs);
    if (name !== 'empty.db') expect(snap.status.revision).toBe(recorded.revision);
  });

  it('large.db has values on overflow pages, leases, and deleted keys', () => {
    const snap = readEtcdSnapshot(fixture('large.db'), { keys: true });
    const big = snap.keys.filter((k) => k.kv.value.length > 4096);
    expect(big.length).toBe(8);
    expect(snap.keys.some((k) => k.kv.lease !== 0n)).toBe(true);
    expect(snap.keys.filter((k) => k.deletedAt !== null).length).toBeGreaterThan(0);
    expect(snap.buckets.find((b) => b.name === 'lease')?.entries).toBe(1);
  });

  it('etcdDbSummary gives the node model the figures, and never throws', () => {
    expect(etcdDbSummary(fixture('member-snap-db'))).toEqual({
      status: JSON.parse(fixtureText('member-snap-db.status.json')),
      error: null,
      trailer: 'absent',
    });
    const bad = etcdDbSummary(Buffer.alloc(8192));
    expect(bad.status).toBeNull();
    expect(bad.error).toMatch(/no valid meta page/);
  });

  it('text: the figures, integrity, compaction and encryption at rest', async () => {
    const r = await kdiff('etcd', 'status', join(FIXTURES, 'k8s-a.db'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hash          bdd1c110 (3184640272)');
    expect(r.stdout).toContain('revision      21\n');
    expect(r.stdout).toContain('SHA-256 trailer matches');
    expect(r.stdout).toContain('compacted at  revision 18');
    expect(r.stdout).toMatch(/ {2}secrets +4 +3 +1 +0 +aescbc:v1:key1 \(2\), aescbc:v1:key2 \(1\)\n/);
    expect(r.stdout).toContain('Secrets in this backup are only partly encrypted: 1 of 4');
  });

  it('--encryption --format json: per resource counts and the Secrets verdict', async () => {
    const r = await kdiff('etcd', 'status', join(FIXTURES, 'large.db'), '--encryption', '--format', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kdiff).toBe('etcd-encryption');
    const secrets = out.resources.find((x: { resource: string }) => x.resource === 'secrets');
    // the loader writes every third Secret plain, the others with aescbc key1 or KMS v2
    expect(secrets).toEqual({ resource: 'secrets', values: 1200, encrypted: 800, plain: 400, other: 0, providers: { 'aescbc:v1:key1': 400, 'kms:v2:vault-kms': 400 } });
    expect(out.secrets).toBe('partly-encrypted');
    const crd = out.resources.find((x: { resource: string }) => x.resource === 'apiextensions.k8s.io/customresourcedefinitions');
    expect(crd).toMatchObject({ values: 1, plain: 1 });
  });

  it('no output ever carries a value', async () => {
    const snap = readEtcdSnapshot(fixture('k8s-b.db'), { keys: true });
    const outputs = [
      (await kdiff('etcd', 'status', join(FIXTURES, 'k8s-b.db'))).stdout,
      (await kdiff('etcd', 'status', join(FIXTURES, 'k8s-b.db'), '--encryption', '--format', 'json')).stdout,
      (await kdiff('etcd', 'diff', join(FIXTURES, 'k8s-a.db'), join(FIXTURES, 'k8s-b.db'), '--format', 'json')).stdout,
      (await kdiff('etcd', 'diff', join(FIXTURES, 'k8s-a.db'), join(FIXTURES, 'k8s-b.db'))).stdout,
    ].join('\n');
    const live = snap.keys.filter((k) => k.deletedAt === null);
    expect(live.length).toBe(12);
    for (const k of live) {
      const tail = k.kv.value.subarray(-16).toString('latin1');
      expect(outputs.includes(tail)).toBe(false);
      expect(outputs.includes(k.kv.value.subarray(-12).toString('base64'))).toBe(false);
    }
  });

  it('bad arguments and missing files: exit 2, one line on stderr', async () => {
    for (const argv of [
      ['etcd', 'status'],
      ['etcd', 'status', join(FIXTURES, 'nope.db')],
      ['etcd', 'status', join(FIXTURES, 'k8s-a.db'), '--format', 'yaml'],
      ['etcd', 'status', FIXTURES],
      ['etcd', 'frobnicate'],
      ['etcd', 'diff', join(FIXTURES, 'k8s-a.db')],
    ]) {
      const r = await kdiff(...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
