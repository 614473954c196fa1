/**
 * etcd's MVCC records inside the bbolt file.
 * Spec: etcd server/mvcc (revision.go: the `key` bucket's keys are 8-byte big-endian main
 * revision, '_', 8-byte big-endian sub revision, and a trailing 't' on tombstones; kvstore.go:
 * the `meta` bucket's scheduledCompactRev / finishedCompactRev; cindex: consistent_index) and
 * api/mvccpb/kv.proto (KeyValue: 1 key, 2 create_revision, 3 mod_revision, 4 version, 5 value,
 * 6 lease). The protobuf is decoded by hand: six fields do not justify a dependency.
 */

export interface Revision {
  main: number;
  sub: number;
  tombstone: boolean;
}

export interface KeyValue {
  key: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
  /** Lease ID: a 64-bit number, often past 2^53. 0n when the key has no lease. */
  lease: bigint;
}

/** Thrown for a record that does not decode; the caller adds where it was found. */
export class MvccFormatError extends Error {
  override readonly name = 'MvccFormatError';
}

function int64BE(b: Buffer, off: number): number {
  const v = b.readBigInt64BE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MvccFormatError(`revision ${v} is out of range`);
  }
  return Number(v);
}

/** A `key` bucket key: 17 bytes, or 18 with the tombstone mark. */
export function parseRevision(k: Buffer): Revision {
  if ((k.length !== 17 && k.length !== 18) || k[8] !== 0x5f || (k.length === 18 && k[17] !== 0x74)) {
    throw new MvccFormatError(`not a revision key (${k.length} bytes)`);
  }
  return { main: int64BE(k, 0), sub: int64BE(k, 9), tombstone: k.length === 18 };
}

/** The main revision in the first 8 bytes, as etcdctl's bytesToRev reads it (needs at least 8 bytes). */
export function mainRevision(k: Buffer): number {
  if (k.length < 8) throw new MvccFormatError(`not a revision key (${k.length} bytes)`);
  return int64BE(k, 0);
}

interface Cursor {
  buf: Buffer;
  pos: number;
}

function varint(c: Cursor): bigint {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (c.pos >= c.buf.length) throw new MvccFormatError('truncated varint');
    const b = c.buf[c.pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result & 0xffffffffffffffffn;
  }
  throw new MvccFormatError('varint longer than 10 bytes');
}

function int64(c: Cursor): number {
  const v = BigInt.asIntN(64, varint(c));
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MvccFormatError(`integer ${v} is out of range`);
  }
  return Number(v);
}

function bytes(c: Cursor): Buffer {
  const len = varint(c);
  if (len > BigInt(c.buf.length - c.pos)) throw new MvccFormatError('length-delimited field runs past the end');
  const out = c.buf.subarray(c.pos, c.pos + Number(len));
  c.pos += Number(len);
  return out;
}

/** mvccpb.KeyValue from its protobuf bytes. Unknown fields are skipped, as protobuf readers do. */
export function decodeKeyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = { key: Buffer.alloc(0), createRevision: 0, modRevision: 0, version: 0, value: Buffer.alloc(0), lease: 0n };
  const c: Cursor = { buf, pos: 0 };
  while (c.pos < buf.length) {
    const tag = varint(c);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0) throw new MvccFormatError('field number 0');
    if (wire === 0) {
      if (field === 2) kv.createRevision = int64(c);
      else if (field === 3) kv.modRevision = int64(c);
      else if (field === 4) kv.version = int64(c);
      else if (field === 6) kv.lease = BigInt.asIntN(64, varint(c));
      else varint(c);
    } else if (wire === 2) {
      const v = bytes(c);
      if (field === 1) kv.key = v;
      else if (field === 5) kv.value = v;
    } else if (wire === 1) {
      if (c.pos + 8 > buf.length) throw new MvccFormatError('truncated fixed64');
      c.pos += 8;
    } else if (wire === 5) {
      if (c.pos + 4 > buf.length) throw new MvccFormatError('truncated fixed32');
      c.pos += 4;
    } else {
      throw new MvccFormatError(`unsupported wire type ${wire}`);
    }
  }
  return kv;
}
