/**
 * etcd's data directory (`--data-dir`): whether the member database is there and its status, read
 * with kdiff's own bbolt reader (the figures `etcdctl snapshot status` prints).
 */
import type { Component, EtcdDataSummary, Finding } from '../model/types.js';
import type { FileTree } from '../source/file-tree.js';
import { etcdDbSummary } from '../etcd/snapshot.js';
import { joinNodePath } from '../source/file-tree.js';

/** Member databases are far larger than config files; past this, only presence is reported. */
export const MAX_ETCD_DB_BYTES = 512 * 1024 * 1024;

function dataDirOf(etcd: Component): { dir: string; source: string } | null {
  const flag = [...etcd.flags].reverse().find((f) => f.name === '--data-dir');
  if (!flag || flag.value === '') return null;
  // etcd resolves a relative --data-dir against its working directory, which a unit may not say.
  if (!flag.value.startsWith('/')) return null;
  return { dir: joinNodePath(flag.value), source: flag.source };
}

export function scanEtcdData(tree: FileTree, components: readonly Component[]): { etcd: EtcdDataSummary[]; findings: Finding[] } {
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
    const summary = etcdDbSummary(bytes);
    etcd.push({ dataDir: d.dir, db: dbPath, status: summary.status });
    if (summary.error) {
      findings.push({
        severity: 'error',
        code: 'etcd-db-unreadable',
        path: dbPath,
        component: 'etcd',
        message: `etcd's member database ${dbPath} is not a readable bbolt file: ${summary.error}.`,
      });
    }
  }
  return { etcd: etcd.sort((a, b) => a.dataDir.localeCompare(b.dataDir)), findings };
}
