/**
 * `kdiff etcd status <snapshot>` and `kdiff etcd diff <a> <b>`: etcd backups read without etcd.
 * status: exit 0, or 2 when the file is unreadable, corrupt or its SHA-256 trailer does not match.
 * diff: exit 0 same keys, 1 keys differ, 2 trouble.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:buffer';
import type { CliIO } from '../io.js';
import { readEtcdSnapshot, EtcdFormatError, type EtcdSnapshot } from '../../etcd/snapshot.js';
import { encryptionSummary } from '../../etcd/encryption.js';
import { diffSnapshots } from '../../etcd/diff.js';
import {
  renderDiffText,
  renderEncryptionText,
  renderStatusJson,
  renderStatusSimple,
  renderStatusTable,
  renderStatusText,
} from '../../etcd/render.js';
import { printableText } from '../../report/printable.js';

const HELP = `Usage:
  kdiff etcd status <snapshot> [--format text|table|json|simple] [--encryption]
  kdiff etcd diff <a> <b> [--format text|json]

  <snapshot>: a file written by \`etcdctl snapshot save\`, or an etcd member database
              (<data-dir>/member/snap/db).
  status      the figures \`etcdctl snapshot status\` prints (hash, revision, total keys, total
              size); table, json and simple are etcdctl's own layouts, text adds the integrity
              check, compaction, and encryption at rest per resource.
  --encryption  only the encryption-at-rest view (text or json).
  diff        keys added, removed and changed between two snapshots (latest revision of each
              key, deleted keys left out), per Kubernetes resource. Values are never printed.
`;

class EtcdUsageError extends Error {
  override readonly name = 'UsageError';
}

interface Args {
  positional: string[];
  format: string | null;
  encryption: boolean;
  help: boolean;
}

function parse(argv: string[]): Args {
  const args: Args = { positional: [], format: null, encryption: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (name === '--format' || name === '-o' || name === '--write-out' || name === '-w') {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new EtcdUsageError(`${name} needs a value`);
      args.format = v;
    } else if (a === '--encryption') args.encryption = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a.startsWith('-') && a !== '-') throw new EtcdUsageError(`etcd: unknown option ${a}`);
    else args.positional.push(a);
  }
  return args;
}

/** The whole file, read in chunks (readFileSync stops at 2 GiB; etcd databases may be bigger). */
function readWhole(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EtcdFormatError(`${path}: no such file or directory`);
    if (code === 'EACCES') throw new EtcdFormatError(`${path}: permission denied`);
    throw new EtcdFormatError(`${path}: cannot be opened (${code ?? String(err)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new EtcdFormatError(`${path}: not a regular file`);
    if (st.size > constants.MAX_LENGTH) throw new EtcdFormatError(`${path}: too large to read (${st.size} bytes)`);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, Math.min(1 << 26, st.size - off), off);
      if (n === 0) break;
      off += n;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

function load(path: string, keys: boolean): EtcdSnapshot {
  const bytes = readWhole(path);
  try {
    return readEtcdSnapshot(bytes, { keys });
  } catch (err) {
    if (err instanceof EtcdFormatError) throw new EtcdFormatError(`${path}: not a whole etcd database: ${err.message}`);
    throw err;
  }
}

function status(args: Args, io: CliIO): number {
  if (args.positional.length !== 1) throw new EtcdUsageError('etcd status needs exactly one snapshot file');
  const path = args.positional[0];
  const format = args.format ?? 'text';
  const allowed = args.encryption ? ['text', 'json'] : ['text', 'table', 'json', 'simple'];
  if (!allowed.includes(format)) throw new EtcdUsageError(`etcd status: --format must be one of ${allowed.join(', ')}`);
  const needKeys = format === 'text' || args.encryption;
  const snap = load(path, needKeys);
  if (args.encryption) {
    const enc = encryptionSummary(snap.keys);
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ kdiff: 'etcd-encryption', schemaVersion: 1, file: path, secrets: enc.secrets, message: enc.message, resources: enc.resources }, null, 2)}\n`);
    } else io.stdout(renderEncryptionText(enc));
  } else if (format === 'table') io.stdout(renderStatusTable(snap.status));
  else if (format === 'json') io.stdout(renderStatusJson(snap.status));
  else if (format === 'simple') io.stdout(renderStatusSimple(snap.status));
  else io.stdout(renderStatusText(path, snap, encryptionSummary(snap.keys)));
  if (snap.trailer === 'mismatch') {
    io.stderr(`kdiff: ${printableText(path)}: the SHA-256 etcdctl appended does not match the content: the snapshot was damaged or changed\n`);
    return 2;
  }
  return 0;
}

function diff(args: Args, io: CliIO): number {
  if (args.encryption) throw new EtcdUsageError('etcd diff: --encryption belongs to etcd status');
  if (args.positional.length !== 2) throw new EtcdUsageError('etcd diff needs two snapshot files');
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new EtcdUsageError('etcd diff: --format must be text or json');
  const [a, b] = args.positional;
  const left = load(a, true);
  const right = load(b, true);
  const d = diffSnapshots(left, right, [a, b]);
  io.stdout(format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : renderDiffText(d));
  for (const [p, s] of [[a, left], [b, right]] as const) {
    if (s.trailer === 'mismatch') {
      io.stderr(`kdiff: ${printableText(p)}: the SHA-256 etcdctl appended does not match the content: the snapshot was damaged or changed\n`);
      return 2;
    }
  }
  return d.changes.length === 0 ? 0 : 1;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const [sub, ...rest] = argv;
    const args = parse(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || args.help) {
      (sub === undefined ? io.stderr : io.stdout)(HELP);
      return sub === undefined ? 2 : 0;
    }
    if (sub === 'status') return status(args, io);
    if (sub === 'diff') return diff(args, io);
    throw new EtcdUsageError(`etcd: unknown subcommand ${sub} (status or diff)`);
  } catch (err) {
    if (err instanceof EtcdFormatError || err instanceof EtcdUsageError) {
      io.stderr(`kdiff: ${printableText(err.message.replace(/\s+/g, ' '))}\n`);
      return 2;
    }
    throw err;
  }
}
