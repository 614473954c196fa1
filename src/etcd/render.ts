/**
 * Output for `kdiff etcd`. The table, simple and json views of a status are etcdctl v3.4's, byte
 * for byte (etcdctl/ctlv3/command/printer*.go: tablewriter with a right-aligned row, go-humanize
 * Bytes for the size, `%x` for the hash); the text views are kdiff's own.
 */
import type { EtcdDiff, EtcdKeyChange, KeyFacts } from './diff.js';
import { providerList, type EncryptionSummary } from './encryption.js';
import type { EtcdSnapshot, EtcdStatus } from './snapshot.js';
import { printable, printableText } from '../report/printable.js';

/** Go's %.0f: round half to even when the value is exactly halfway. */
function goFixed0(v: number): string {
  const f = Math.floor(v);
  const frac = v - f;
  if (frac === 0.5) return String(f % 2 === 0 ? f : f + 1);
  return String(Math.round(v));
}

/** go-humanize Bytes: SI units, one decimal below 10. */
export function humanizeBytes(s: number): string {
  if (s < 10) return `${s} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let e = 0;
  while (e < sizes.length - 1 && s >= 1000 ** (e + 1)) e++;
  const val = Math.floor((s / 1000 ** e) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${sizes[e]}` : `${goFixed0(val)} ${sizes[e]}`;
}

function statusRow(s: EtcdStatus): string[] {
  return [s.hash.toString(16), String(s.revision), String(s.totalKey), humanizeBytes(s.totalSize)];
}

/** tablewriter's centring: the odd space goes right. */
function center(s: string, w: number): string {
  const gap = w - s.length;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
}

/** `etcdctl --write-out=table snapshot status`. */
export function renderStatusTable(s: EtcdStatus): string {
  const header = ['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE'];
  const row = statusRow(s);
  const widths = header.map((h, i) => Math.max(h.length, row[i].length));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const line = (cells: string[]): string => `|${cells.map((c) => ` ${c} `).join('|')}|\n`;
  return rule + line(header.map((h, i) => center(h, widths[i]))) + rule + line(row.map((c, i) => c.padStart(widths[i]))) + rule;
}

/** `etcdctl --write-out=simple snapshot status` (etcdctl's default). */
export function renderStatusSimple(s: EtcdStatus): string {
  return `${statusRow(s).join(', ')}\n`;
}

/** `etcdctl --write-out=json snapshot status`: Go's json.Marshal of the Status struct. */
export function renderStatusJson(s: EtcdStatus): string {
  return `${JSON.stringify({ hash: s.hash, revision: s.revision, totalKey: s.totalKey, totalSize: s.totalSize })}\n`;
}

const TRAILER_TEXT = {
  ok: 'SHA-256 trailer matches: the whole file etcdctl snapshot save wrote',
  mismatch: 'SHA-256 trailer does NOT match: the file was damaged or changed after etcdctl saved it',
  absent: 'no SHA-256 trailer: not a file from etcdctl snapshot save (a copy of member/snap/db?)',
};

function aligned(rows: Array<[string, string]>, indent = ''): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(w)}  ${v}`.trimEnd()).join('\n') + '\n';
}

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]): string =>
    `  ${r.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n') + '\n';
}

/** kdiff's own view of one encryption summary. */
export function renderEncryptionText(input: EncryptionSummary): string {
  const e = printable(input);
  if (e.resources.length === 0) return 'Encryption at rest: no live keys.\n';
  const rows = e.resources.map((r) => [r.resource, String(r.values), String(r.encrypted), String(r.plain), String(r.other), providerList(r) || '-']);
  return (
    'Encryption at rest (latest value of each live key):\n' +
    table(['RESOURCE', 'VALUES', 'ENCRYPTED', 'PLAIN', 'OTHER', 'PROVIDERS'], rows, [false, true, true, true, true, false]) +
    `${e.message}\n`
  );
}

export function renderStatusText(label: string, snap: EtcdSnapshot, enc: EncryptionSummary): string {
  // Only the label and bucket names of the snapshot are text; its keys (maybe 100,000s) are only counted.
  const s = snap.status;
  const liveKeys = snap.keys.filter((k) => k.deletedAt === null).length;
  const rows: Array<[string, string]> = [
    ['file', printableText(label)],
    ['hash', `${s.hash.toString(16)} (${s.hash})`],
    ['revision', String(s.revision)],
    ['total keys', `${s.totalKey} (entries in all buckets, every revision kept)`],
    ['total size', `${humanizeBytes(s.totalSize)} (${s.totalSize} bytes)`],
    ['integrity', `bbolt check passed; ${TRAILER_TEXT[snap.trailer]}`],
    ['compacted at', snap.mvcc.finishedCompactRevision === null ? 'never' : `revision ${snap.mvcc.finishedCompactRevision}`],
  ];
  const sc = snap.mvcc.scheduledCompactRevision;
  if (sc !== null && sc !== snap.mvcc.finishedCompactRevision) rows.push(['compaction', `scheduled at revision ${sc}, not finished`]);
  if (snap.mvcc.consistentIndex !== null) rows.push(['raft index', `${snap.mvcc.consistentIndex} (consistent_index)`]);
  rows.push(['keys', `${liveKeys} live, ${snap.keys.length - liveKeys} deleted since the last compaction`]);
  rows.push(['buckets', snap.buckets.map((b) => `${printableText(b.name)} ${b.entries}`).join(', ')]);
  rows.push(['bbolt', `page size ${snap.bolt.pageSize}, meta page ${snap.bolt.metaPage}, txid ${snap.bolt.txid}`]);
  return aligned(rows) + '\n' + renderEncryptionText(enc);
}

function factsText(f: KeyFacts): string {
  return `${f.size} B, mod revision ${f.modRevision}, ${f.storage}`;
}

function changeLine(c: EtcdKeyChange): string {
  const id = c.namespace === null ? c.name : `${c.namespace}/${c.name}`;
  if (c.change === 'added') return `  + ${id}  (${factsText(c.right as KeyFacts)})`;
  if (c.change === 'removed') return `  - ${id}  (${factsText(c.left as KeyFacts)})`;
  const l = c.left as KeyFacts;
  const r = c.right as KeyFacts;
  const parts = [`size ${l.size} → ${r.size} B`, `mod revision ${l.modRevision} → ${r.modRevision}`];
  if (l.storage !== r.storage) parts.push(`storage ${l.storage} → ${r.storage}`);
  if (l.createRevision !== r.createRevision) parts.push('deleted and recreated');
  if (c.sameValue) parts.push('same value');
  return `  ~ ${id}  (${parts.join(', ')})`;
}

function counts(x: { added: number; removed: number; changed: number }): string {
  return `${x.added} added, ${x.removed} removed, ${x.changed} changed`;
}

/** kdiff's text view of an etcd diff: per resource, each key with +, - or ~. */
export function renderDiffText(input: EtcdDiff): string {
  const d = printable(input);
  let out = `etcd: ${d.left.label} (revision ${d.left.revision}, ${d.left.keys} keys) → ${d.right.label} (revision ${d.right.revision}, ${d.right.keys} keys)\n`;
  if (d.changes.length === 0) return `${out}No key was added, removed or changed (${d.summary.unchanged} keys the same).\n`;
  out += `${counts(d.summary)}, ${d.summary.unchanged} unchanged\n`;
  for (const r of d.resources) {
    out += `\n${r.resource}: ${counts(r)}\n`;
    for (const c of d.changes) if (c.resource === r.resource) out += `${changeLine(c)}\n`;
  }
  return out;
}
