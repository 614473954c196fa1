/**
 * etcd's data directory (`--data-dir`): whether the member database is there, its status (the
 * figures `etcdctl snapshot status` prints) and whether its Secrets are encrypted at rest, read
 * with kdiff's own bbolt reader and tied to the apiserver's --encryption-provider-config.
 */
import type { Component, ConfigFile, EtcdDataSummary, Finding } from '../model/types.js';
import type { FileTree } from '../source/file-tree.js';
import { EtcdFormatError, readEtcdSnapshot } from '../etcd/snapshot.js';
import { encryptionSummary } from '../etcd/encryption.js';
import { joinNodePath } from '../source/file-tree.js';
import { compareText } from '../util/compare.js';

/** Member databases are far larger than config files; past this, only presence is reported. */
export const MAX_ETCD_DB_BYTES = 512 * 1024 * 1024;

function dataDirOf(etcd: Component): { dir: string; source: string } | null {
  const flag = [...etcd.flags].reverse().find((f) => f.name === '--data-dir');
  if (!flag || flag.value === '') return null;
  // etcd resolves a relative --data-dir against its working directory, which a unit may not say.
  if (!flag.value.startsWith('/')) return null;
  return { dir: joinNodePath(flag.value), source: flag.source };
}

/** The first provider the apiserver's EncryptionConfiguration uses for Secrets (it writes with the first). */
export function secretsWriteProvider(configs: readonly ConfigFile[]): { provider: string; path: string } | null {
  for (const c of configs) {
    if (c.kind !== 'EncryptionConfiguration' && c.kind !== 'EncryptionConfig') continue;
    const doc = c.content as { resources?: { resources?: unknown; providers?: unknown }[] } | null;
    for (const r of doc?.resources ?? []) {
      const names = Array.isArray(r.resources) ? r.resources : [];
      if (!names.some((n) => n === 'secrets' || n === '*.*' || n === '*.')) continue;
      const first = Array.isArray(r.providers) ? (r.providers[0] as Record<string, unknown> | undefined) : undefined;
      const provider = first ? Object.keys(first)[0] ?? 'identity' : 'identity';
      return { provider, path: c.path };
    }
    return { provider: 'identity', path: c.path };
  }
  return null;
}

function secretsFindings(db: string, s: NonNullable<EtcdDataSummary['secrets']>, configs: readonly ConfigFile[]): Finding[] {
  const writer = secretsWriteProvider(configs);
  const out: Finding[] = [];
  if (s.encrypted > 0 && !writer) {
    out.push({
      severity: 'error',
      code: 'etcd-secrets-undecryptable',
      path: db,
      component: 'kube-apiserver',
      message: `${s.encrypted} Secrets in etcd's member database ${db} are encrypted (${Object.keys(s.providers).join(', ')}), but kube-apiserver has no --encryption-provider-config to decrypt them.`,
    });
  }
  if (s.verdict === 'absent' || s.verdict === 'encrypted') return out;
  const plain = s.values - s.encrypted;
  const what = `${plain} of ${s.values} Secrets in etcd's member database ${db} are stored without encryption`;
  if (!writer || writer.provider === 'identity') {
    return [...out, {
      severity: 'warning',
      code: 'etcd-secrets-not-encrypted',
      path: db,
      component: 'kube-apiserver',
      message: `${what}, and kube-apiserver ${writer ? `writes Secrets with the identity provider (${writer.path})` : 'has no --encryption-provider-config'}: anyone who gets a copy of etcd or its backups reads them.`,
    }];
  }
  return [...out, {
    severity: 'warning',
    code: 'etcd-secrets-not-reencrypted',
    path: db,
    component: 'kube-apiserver',
    message: `${what}: kube-apiserver now writes Secrets with ${writer.provider} (${writer.path}), but those written before stay in plain text until rewritten (kubectl get secrets -A -o json | kubectl replace -f -).`,
  }];
}

export function scanEtcdData(
  tree: FileTree,
  components: readonly Component[],
  configs: readonly ConfigFile[] = [],
): { etcd: EtcdDataSummary[]; findings: Finding[] } {
  const etcd: EtcdDataSummary[] = [];
  const findings: Finding[] = [];
  for (const c of components.filter((x) => x.name === 'etcd')) {
    const d = dataDirOf(c);
    if (!d) continue;
    const dbPath = `${d.dir === '/' ? '' : d.dir}/member/snap/db`;
    if (!tree.isDir(d.dir)) {
      etcd.push({ dataDir: d.dir, db: null, status: null });
      continue;
    }
    if (!tree.isFile(dbPath)) {
      etcd.push({ dataDir: d.dir, db: null, status: null });
      findings.push({
        severity: 'info',
        code: 'etcd-db-missing',
        path: dbPath,
        component: 'etcd',
        message: `etcd's data directory ${d.dir} (--data-dir, ${d.source}) holds no member database ${dbPath}.`,
      });
      continue;
    }
    const bytes = tree.readBytes(dbPath, { maxBytes: MAX_ETCD_DB_BYTES });
    if (!bytes) {
      etcd.push({ dataDir: d.dir, db: dbPath, status: null });
      continue;
    }
    try {
      const snap = readEtcdSnapshot(bytes, { keys: true });
      const enc = encryptionSummary(snap.keys);
      const row = enc.resources.find((r) => r.resource === 'secrets');
      const secrets = { verdict: enc.secrets, values: row?.values ?? 0, encrypted: row?.encrypted ?? 0, providers: row?.providers ?? {} };
      etcd.push({ dataDir: d.dir, db: dbPath, status: snap.status, secrets });
      findings.push(...secretsFindings(dbPath, secrets, configs));
    } catch (err) {
      etcd.push({ dataDir: d.dir, db: dbPath, status: null });
      const reason = err instanceof EtcdFormatError ? err.message : `unreadable: ${(err as Error).message}`;
      findings.push({
        severity: 'error',
        code: 'etcd-db-unreadable',
        path: dbPath,
        component: 'etcd',
        message: `etcd's member database ${dbPath} is not a readable bbolt file: ${reason}.`,
      });
    }
  }
  return { etcd: etcd.sort((a, b) => compareText(a.dataDir, b.dataDir)), findings };
}
