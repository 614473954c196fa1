import { readFileSync } from 'node:fs';
import { openDirectory } from '../../src/source/open.js';
import { scanTree } from '../../src/scan/index.js';
import { scanEtcdData } from '../../src/scan/etcd-data.js';
import { FileTree } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';
import type { Component } from '../../src/model/types.js';

const etcd = (dataDir: string): Component => ({
  name: 'etcd', runMode: 'systemd', sources: [], image: null, binary: '/usr/local/bin/etcd', version: null, enabled: true,
  flags: [{ name: '--data-dir', value: dataDir, source: '/etc/systemd/system/etcd.service:9' }],
});

describe("etcd's data directory", () => {
  it('reports the member database status etcdctl reports for the same file', () => {
    const model = scanTree(openDirectory('fixtures/seed-kubeadm-master').tree);
    const etcdctl = JSON.parse(readFileSync('fixtures/etcd/member-snap-db.status.json', 'utf8'));
    expect(model.etcd).toEqual([
      {
        dataDir: '/var/lib/etcd',
        db: '/var/lib/etcd/member/snap/db',
        status: etcdctl,
        // scripts/etcd-fixtures-load.mjs wrote 4 Secrets: 3 with encryption prefixes, 1 plain.
        secrets: { verdict: 'partly-encrypted', values: 4, encrypted: 3, providers: { 'aescbc:v1:key2': 1, 'aesgcm:v1:key1': 1, 'secretbox:v1:key3': 1 } },
      },
    ]);
    // The seed master's apiserver has no --encryption-provider-config: it can read neither the
    // encrypted Secrets, nor protect the plain one.
    expect(model.findings.filter((f) => f.code.startsWith('etcd-secrets')).map((f) => f.code)).toEqual([
      'etcd-secrets-not-encrypted',
      'etcd-secrets-undecryptable',
    ]);
  });

  it("ties the Secrets' encryption to the apiserver's EncryptionConfiguration", () => {
    const mem = new MemoryBackend();
    mem.add('/var/lib/etcd/member/snap/db', { kind: 'file', data: readFileSync('fixtures/etcd/member-snap-db') });
    const tree = new FileTree('mem', mem);
    const encryption = (first: Record<string, unknown>) => [{
      path: '/var/lib/kubernetes/encryption-config.yaml', kind: 'EncryptionConfiguration', apiVersion: 'apiserver.config.k8s.io/v1', component: 'kube-apiserver',
      content: { kind: 'EncryptionConfiguration', resources: [{ resources: ['secrets'], providers: [first, { identity: {} }] }] },
    }];
    const aescbc = scanEtcdData(tree, [etcd('/var/lib/etcd')], encryption({ aescbc: { keys: [{ name: 'key1', secret: 'present' }] } }));
    expect(aescbc.findings.map((f) => f.code)).toEqual(['etcd-secrets-not-reencrypted']);
    expect(aescbc.findings[0].message).toContain('now writes Secrets with aescbc (/var/lib/kubernetes/encryption-config.yaml)');
    const identity = scanEtcdData(tree, [etcd('/var/lib/etcd')], encryption({ identity: {} }));
    expect(identity.findings.map((f) => f.code)).toEqual(['etcd-secrets-not-encrypted']);
  });

  it('notes a data directory without a database, and a database that is not bbolt', () => {
    const mem = new MemoryBackend();
    mem.add('/var/lib/etcd/member/wal/0.wal', { kind: 'file', data: Buffer.from('x') });
    mem.add('/srv/etcd/member/snap/db', { kind: 'file', data: Buffer.alloc(8192, 7) });
    const tree = new FileTree('mem', mem);
    const r = scanEtcdData(tree, [etcd('/var/lib/etcd'), etcd('/srv/etcd')]);
    expect(r.etcd).toEqual([
      { dataDir: '/srv/etcd', db: '/srv/etcd/member/snap/db', status: null },
      { dataDir: '/var/lib/etcd', db: null, status: null },
    ]);
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ['etcd-db-missing', '/var/lib/etcd/member/snap/db'],
      ['etcd-db-unreadable', '/srv/etcd/member/snap/db'],
    ]);
  });
});
