/**
 * An etcd snapshot (or `member/snap/db`) read from its bytes: the four figures `etcdctl snapshot
 * status` prints, the SHA-256 trailer `etcdctl snapshot save` appends, the MVCC meta, and the
 * latest revision of every key.
 * Spec: etcd v3.4 clientv3/snapshot/v3_snapshot.go (Status: tx.Check, then a CRC-32C over each
 * top-level bucket's name followed by its keys and values in order; revision = main revision of
 * the last key of bucket `key`; totalKey = entries of all buckets; totalSize = tx.Size()) and
 * saveDB (the trailer is present when size % 512 == 32, and is the SHA-256 of what precedes it).
 */
import { createHash } from 'node:crypto';
import { BoltDb, BoltFormatError, printable, type BoltLimits, type BoltMeta } from './bbolt.js';
import { Crc32c } from './crc32c.js';
import { decodeKeyValue, mainRevision, MvccFormatError, parseRevision, type KeyValue } from './mvcc.js';

/** The object `etcdctl --write-out=json snapshot status` prints, field for field. */
export interface EtcdStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/** `ok`: the SHA-256 trailer matches; `mismatch`: it does not (damaged); `absent`: no trailer (a copy of member/snap/db). */
export type TrailerCheck = 'ok' | 'mismatch' | 'absent';

/** A file that cannot be read as an etcd database: the message says why, on one line. */
export class EtcdFormatError extends Error {
  override readonly name = 'EtcdFormatError';
}

export interface LatestKey {
  key: string;
  /** The key's latest record; for a deleted key, the tombstone's revision is `deletedAt`. */
  kv: KeyValue;
  deletedAt: number | null;
}

export interface EtcdMvccMeta {
  consistentIndex: number | null;
  term: number | null;
  scheduledCompactRevision: number | null;
  finishedCompactRevision: number | null;
}

export interface EtcdSnapshot {
  status: EtcdStatus;
  trailer: TrailerCheck;
  bolt: BoltMeta;
  buckets: Array<{ name: string; entries: number }>;
  mvcc: EtcdMvccMeta;
  /** Every key's latest revision (deleted keys included, marked), sorted by key. */
  keys: LatestKey[];
}

const SHA256_SIZE = 32;

export function checkTrailer(bytes: Buffer): TrailerCheck {
  if (bytes.length % 512 !== SHA256_SIZE) return 'absent';
  const body = bytes.subarray(0, bytes.length - SHA256_SIZE);
  const want = bytes.subarray(bytes.length - SHA256_SIZE);
  return createHash('sha256').update(body).digest().equals(want) ? 'ok' : 'mismatch';
}

function describe(err: unknown): never {
  if (err instanceof BoltFormatError || err instanceof EtcdFormatError) throw new EtcdFormatError(err.message);
  if (err instanceof RangeError) throw new EtcdFormatError(`corrupt database: ${err.message}`);
  throw err;
}

/** The figures etcdctl prints, from an already opened and checked database. */
function statusOf(db: BoltDb): { status: EtcdStatus; buckets: Array<{ name: string; entries: number }> } {
  const h = new Crc32c();
  let revision = 0;
  let totalKey = 0;
  const buckets: Array<{ name: string; entries: number }> = [];
  for (const name of db.bucketNames()) {
    h.update(name);
    const isKey = name.equals(KEY_BUCKET);
    let entries = 0;
    db.forEach(name, (e) => {
      h.update(e.key);
      if (!e.bucket) h.update(e.value);
      if (isKey) {
        try {
          revision = mainRevision(e.key);
        } catch (err) {
          throw new EtcdFormatError(`bucket key: ${(err as Error).message}: ${printable(e.key)}`);
        }
      }
      entries++;
    });
    totalKey += entries;
    buckets.push({ name: printable(name), entries });
  }
  return { status: { hash: h.digest(), revision, totalKey, totalSize: db.size }, buckets };
}

const KEY_BUCKET = Buffer.from('key');

function readMvccMeta(db: BoltDb): EtcdMvccMeta {
  const meta: EtcdMvccMeta = { consistentIndex: null, term: null, scheduledCompactRevision: null, finishedCompactRevision: null };
  db.forEach('meta', (e) => {
    const k = e.key.toString('latin1');
    const u64 = (): number | null => (e.value.length === 8 ? Number(e.value.readBigUInt64BE(0)) : null);
    const rev = (): number | null => (e.value.length >= 8 ? mainRevision(e.value) : null);
    if (k === 'consistent_index') meta.consistentIndex = u64();
    else if (k === 'term') meta.term = u64();
    else if (k === 'scheduledCompactRev') meta.scheduledCompactRevision = rev();
    else if (k === 'finishedCompactRev') meta.finishedCompactRevision = rev();
  });
  return meta;
}

/** The latest record of every key: bucket `key` is in revision order, so the last one wins. */
function latestKeys(db: BoltDb): LatestKey[] {
  const latest = new Map<string, LatestKey>();
  db.forEach(KEY_BUCKET, (e) => {
    let rev;
    let kv;
    try {
      rev = parseRevision(e.key);
      kv = decodeKeyValue(e.value);
    } catch (err) {
      if (err instanceof MvccFormatError) throw new EtcdFormatError(`bucket key, revision ${printable(e.key)}: ${err.message}`);
      throw err;
    }
    // Keys are bytes; Kubernetes' are UTF-8. latin1 keeps every byte distinct as the map key.
    const id = kv.key.toString('latin1');
    latest.set(id, { key: kv.key.toString('utf8'), kv, deletedAt: rev.tombstone ? rev.main : null });
  });
  return [...latest.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, v]) => v);
}

export interface ReadOptions {
  limits?: Partial<BoltLimits>;
  /** Also read every key's latest revision (needed for diff and encryption, not for status). */
  keys?: boolean;
}

/** Reads a snapshot or member database. Throws EtcdFormatError (one-line message) when it is not whole. */
export function readEtcdSnapshot(bytes: Buffer, options: ReadOptions = {}): EtcdSnapshot {
  try {
    const trailer = checkTrailer(bytes);
    const db = new BoltDb(bytes, options.limits);
    db.check();
    const { status, buckets } = statusOf(db);
    const mvcc = readMvccMeta(db);
    const keys = options.keys ? latestKeys(db) : [];
    return { status, trailer, bolt: db.meta, buckets, mvcc, keys };
  } catch (err) {
    return describe(err);
  }
}

/** What the node model records about an etcd data directory's `member/snap/db`. Never throws. */
export interface EtcdDbSummary {
  status: EtcdStatus | null;
  /** Why the file could not be read, one line; null when it could. */
  error: string | null;
  trailer: TrailerCheck | null;
}

/** The status figures of a `member/snap/db` (or snapshot) for the node model; problems come back as `error`. */
export function etcdDbSummary(bytes: Buffer): EtcdDbSummary {
  try {
    const s = readEtcdSnapshot(bytes);
    return { status: s.status, error: null, trailer: s.trailer };
  } catch (err) {
    if (err instanceof EtcdFormatError) return { status: null, error: err.message, trailer: null };
    return { status: null, error: `unreadable: ${(err as Error).message}`, trailer: null };
  }
}
