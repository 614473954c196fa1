/**
 * A read-only, bounded reader of bbolt files (etcd's backend: snapshots and `member/snap/db`).
 * Spec: go.etcd.io/bbolt v1.3 — page.go (page header, branch/leaf elements), db.go (meta,
 * validate, meta selection), bucket.go (bucket header, inline buckets), freelist.go, tx_check.go.
 *
 * Everything read from the file is checked against the file's bounds before use, every page is
 * visited at most once (a second reference is corruption: bbolt's Check says "multiple
 * references"), and bucket nesting is capped, so a damaged or hostile file ends in a
 * BoltFormatError, never a hang, a huge allocation or a crash.
 */

/** A file that is not a whole, consistent bbolt database. */
export class BoltFormatError extends Error {
  override readonly name = 'BoltFormatError';
}

export interface BoltMeta {
  pageSize: number;
  flags: number;
  /** Page id of the root bucket's root page. */
  root: number;
  /** Page id of the freelist, or null when the freelist is not synced to disk. */
  freelist: number | null;
  /** High-water mark: pages [0, pgid) belong to the database. */
  pgid: number;
  txid: number;
  /** Which of the two meta pages was chosen (bbolt: the valid one with the higher txid). */
  metaPage: 0 | 1;
}

export interface BoltLimits {
  /** Deepest bucket nesting (buckets in buckets) and B+tree depth accepted. */
  maxDepth: number;
}

const DEFAULT_LIMITS: BoltLimits = { maxDepth: 64 };

const MAGIC = 0xed0cdaed;
const VERSION = 2;
const PAGE_HEADER = 16;
const ELEMENT_SIZE = 16;
const BUCKET_HEADER = 16;
const META_SIZE = 64;
const BRANCH = 0x01;
const LEAF = 0x02;
const META = 0x04;
const FREELIST = 0x10;
const BUCKET_LEAF_FLAG = 0x01;
/** bbolt's default page size on linux/amd64: used when meta 0 is unreadable (as bbolt does). */
const OS_PAGE_SIZE = 4096;

/** One key/value of a bucket, in key order. `bucket` entries are nested buckets (value empty). */
export interface BoltEntry {
  key: Buffer;
  value: Buffer;
  bucket: boolean;
}

/** An unsigned 64-bit field as a number; values past 2^53 come back inexact but huge, so bound checks reject them. */
function u64(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off + 4) * 0x100000000 + buf.readUInt32LE(off);
}

function isAllOnes64(buf: Buffer, off: number): boolean {
  return buf.readUInt32LE(off) === 0xffffffff && buf.readUInt32LE(off + 4) === 0xffffffff;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a, 64 bit (hash/fnv New64a): bbolt's meta checksum. */
export function fnv64a(data: Uint8Array): bigint {
  let h = FNV_OFFSET;
  for (const b of data) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  return h;
}

interface RawMeta {
  magic: number;
  version: number;
  pageSize: number;
  flags: number;
  root: number;
  freelistNone: boolean;
  freelist: number;
  pgid: number;
  txid: number;
  problem: string | null;
}

/** Reads and validates the meta struct at `off` (bbolt meta.validate: magic, version, checksum; 0 means "not set"). */
function readMeta(file: Buffer, off: number): RawMeta | null {
  if (off + PAGE_HEADER + META_SIZE > file.length) return null;
  const m = off + PAGE_HEADER;
  const meta: RawMeta = {
    magic: file.readUInt32LE(m),
    version: file.readUInt32LE(m + 4),
    pageSize: file.readUInt32LE(m + 8),
    flags: file.readUInt32LE(m + 12),
    root: u64(file, m + 16),
    freelistNone: isAllOnes64(file, m + 32),
    freelist: u64(file, m + 32),
    pgid: u64(file, m + 40),
    txid: u64(file, m + 48),
    problem: null,
  };
  const checksum = file.readBigUInt64LE(m + 56);
  if (meta.magic !== MAGIC) meta.problem = 'bad magic number (not a bbolt/etcd database)';
  else if (meta.version !== VERSION) meta.problem = `unsupported bbolt version ${meta.version}`;
  else if (checksum !== 0n && checksum !== fnv64a(file.subarray(m, m + 56))) meta.problem = 'meta checksum mismatch';
  return meta;
}

function validPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/** A page as read: its header fields and its whole extent (the page plus its overflow pages). */
interface Page {
  id: number;
  flags: number;
  count: number;
  overflow: number;
  data: Buffer;
  /** Where the page sits, for messages: `page 12` or `inline bucket in page 12`. */
  where: string;
}

/** An opened bbolt database: the chosen meta, and walks over its buckets. */
export class BoltDb {
  readonly meta: BoltMeta;
  private readonly file: Buffer;
  private readonly limits: BoltLimits;

  constructor(file: Buffer, limits: Partial<BoltLimits> = {}) {
    this.file = file;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.meta = chooseMeta(file);
  }

  /** Size of the database as bbolt's `tx.Size()` reports it: high-water mark × page size. */
  get size(): number {
    return this.meta.pgid * this.meta.pageSize;
  }

  private page(id: number, where: string): Page {
    const ps = this.meta.pageSize;
    if (!Number.isSafeInteger(id) || id >= this.meta.pgid) {
      throw new BoltFormatError(`${where}: page id ${id} is beyond the database's last page ${this.meta.pgid - 1}`);
    }
    const off = id * ps;
    if (off + ps > this.file.length) {
      throw new BoltFormatError(`${where}: page ${id} lies beyond the end of the file (truncated)`);
    }
    const headerId = u64(this.file, off);
    if (headerId !== id) throw new BoltFormatError(`${where}: page ${id} says it is page ${headerId}`);
    const overflow = this.file.readUInt32LE(off + 12);
    const end = off + (overflow + 1) * ps;
    if (id + overflow >= this.meta.pgid || end > this.file.length) {
      throw new BoltFormatError(`${where}: page ${id} with ${overflow} overflow pages runs past the end of the database (truncated)`);
    }
    return {
      id,
      flags: this.file.readUInt16LE(off + 8),
      count: this.file.readUInt16LE(off + 10),
      overflow,
      data: this.file.subarray(off, end),
      where: `page ${id}`,
    };
  }

  /**
   * Walks every bucket and page the way bbolt's tx.Check does, and reports what its check would:
   * pages referenced twice, freed pages still in use, pages neither reachable nor free, pages of
   * the wrong type. Throws BoltFormatError on the first problem.
   */
  check(): void {
    const pgid = this.meta.pgid;
    // 0 unseen, 1 reachable, 2 free
    const state = new Uint8Array(pgid);
    const freed = this.readFreelist();
    for (const id of freed) {
      if (id >= pgid) throw new BoltFormatError(`freelist: page ${id} is beyond the database's last page ${pgid - 1}`);
      if (state[id] === 2) throw new BoltFormatError(`page ${id}: already freed`);
      state[id] = 2;
    }
    const mark = (id: number): void => {
      if (state[id] === 1) throw new BoltFormatError(`page ${id}: multiple references`);
      if (state[id] === 2) throw new BoltFormatError(`page ${id}: reachable freed`);
      state[id] = 1;
    };
    mark(0);
    mark(1);
    if (this.meta.freelist !== null) {
      const fl = this.page(this.meta.freelist, 'freelist');
      for (let i = 0; i <= fl.overflow; i++) mark(fl.id + i);
    }
    this.walkPages(this.meta.root, 0, 'root bucket', (p) => {
      for (let i = 0; i <= p.overflow; i++) mark(p.id + i);
    });
    // Without a synced freelist bbolt rebuilds it from exactly the unreachable pages: nothing to report.
    if (this.meta.freelist === null) return;
    for (let i = 0; i < pgid; i++) {
      if (state[i] === 0) throw new BoltFormatError(`page ${i}: unreachable unfreed`);
    }
  }

  /** Page ids listed in the freelist page (bbolt freelist.read: a count of 0xFFFF means the count is the first id slot). */
  private readFreelist(): number[] {
    if (this.meta.freelist === null) return [];
    const p = this.page(this.meta.freelist, 'freelist');
    if ((p.flags & FREELIST) === 0) throw new BoltFormatError(`freelist: page ${p.id} is not a freelist page`);
    let first = PAGE_HEADER;
    let count = p.count;
    if (count === 0xffff) {
      count = u64(p.data, PAGE_HEADER);
      first += 8;
    }
    if (first + count * 8 > p.data.length) throw new BoltFormatError(`freelist: ${count} page ids do not fit in page ${p.id}`);
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(u64(p.data, first + i * 8));
    return ids;
  }

  /**
   * Visits every page of every bucket reachable from `root` (branch and leaf pages, nested
   * buckets), each page before its children. Inline buckets have no page of their own.
   */
  private walkPages(root: number, depth: number, where: string, visit: (p: Page) => void): void {
    const stack: Array<{ id: number; depth: number }> = [{ id: root, depth }];
    while (stack.length > 0) {
      const { id, depth: d } = stack.pop() as { id: number; depth: number };
      if (d > this.limits.maxDepth) throw new BoltFormatError(`${where}: tree deeper than ${this.limits.maxDepth} levels`);
      const p = this.page(id, where);
      visit(p);
      if (p.flags & BRANCH) {
        const children = this.branchChildren(p);
        for (let i = children.length - 1; i >= 0; i--) stack.push({ id: children[i], depth: d + 1 });
      } else if (p.flags & LEAF) {
        for (const e of this.leafEntries(p)) {
          if (!e.bucket) continue;
          const child = this.bucketRoot(e, p);
          if (child.root !== null) stack.push({ id: child.root, depth: d + 1 });
          else this.walkInline(child.inline as Page, d + 1, visit);
        }
      } else {
        throw new BoltFormatError(`page ${p.id}: invalid type (flags 0x${p.flags.toString(16)}) in ${where}`);
      }
    }
  }

  /** Inline buckets may hold buckets whose roots are real pages: walk those too. */
  private walkInline(p: Page, depth: number, visit: (p: Page) => void): void {
    if (depth > this.limits.maxDepth) throw new BoltFormatError(`${p.where}: buckets nested deeper than ${this.limits.maxDepth}`);
    for (const e of this.leafEntries(p)) {
      if (!e.bucket) continue;
      const child = this.bucketRoot(e, p);
      if (child.root !== null) this.walkPages(child.root, depth + 1, p.where, visit);
      else this.walkInline(child.inline as Page, depth + 1, visit);
    }
  }

  private branchChildren(p: Page): number[] {
    if (PAGE_HEADER + p.count * ELEMENT_SIZE > p.data.length) {
      throw new BoltFormatError(`${p.where}: ${p.count} branch elements do not fit in the page`);
    }
    const ids: number[] = [];
    for (let i = 0; i < p.count; i++) ids.push(u64(p.data, PAGE_HEADER + i * ELEMENT_SIZE + 8));
    return ids;
  }

  private leafEntries(p: Page): BoltEntry[] {
    if ((p.flags & LEAF) === 0) throw new BoltFormatError(`${p.where}: expected a leaf page (flags 0x${p.flags.toString(16)})`);
    if (PAGE_HEADER + p.count * ELEMENT_SIZE > p.data.length) {
      throw new BoltFormatError(`${p.where}: ${p.count} leaf elements do not fit in the page`);
    }
    const out: BoltEntry[] = [];
    for (let i = 0; i < p.count; i++) {
      const el = PAGE_HEADER + i * ELEMENT_SIZE;
      const flags = p.data.readUInt32LE(el);
      const pos = p.data.readUInt32LE(el + 4);
      const ksize = p.data.readUInt32LE(el + 8);
      const vsize = p.data.readUInt32LE(el + 12);
      const kStart = el + pos;
      const vEnd = kStart + ksize + vsize;
      if (vEnd > p.data.length) throw new BoltFormatError(`${p.where}: element ${i} points past the end of the page`);
      out.push({
        key: p.data.subarray(kStart, kStart + ksize),
        value: p.data.subarray(kStart + ksize, vEnd),
        bucket: (flags & BUCKET_LEAF_FLAG) !== 0,
      });
    }
    return out;
  }

  /** A bucket's value: its root page id, or (root 0) an inline page right after the header. */
  private bucketRoot(e: BoltEntry, parent: Page): { root: number | null; inline: Page | null } {
    const name = printable(e.key);
    if (e.value.length < BUCKET_HEADER) throw new BoltFormatError(`${parent.where}: bucket ${name} has a short header`);
    const root = u64(e.value, 0);
    if (root !== 0) return { root, inline: null };
    const data = e.value.subarray(BUCKET_HEADER);
    if (data.length < PAGE_HEADER) throw new BoltFormatError(`${parent.where}: inline bucket ${name} is too short`);
    return {
      root: null,
      inline: {
        id: 0,
        flags: data.readUInt16LE(8),
        count: data.readUInt16LE(10),
        overflow: 0,
        data,
        where: `inline bucket ${name} in ${parent.where}`,
      },
    };
  }

  /** Entries of the bucket rooted at a page (or inline), in key order: bbolt's Cursor/ForEach. */
  private forEachIn(root: { root: number | null; inline: Page | null }, where: string, fn: (e: BoltEntry) => void): void {
    if (root.inline) {
      for (const e of this.leafEntries(root.inline)) fn(e);
      return;
    }
    const visited = new Set<number>();
    const stack: Array<{ id: number; depth: number }> = [{ id: root.root as number, depth: 0 }];
    while (stack.length > 0) {
      const { id, depth } = stack.pop() as { id: number; depth: number };
      if (depth > this.limits.maxDepth) throw new BoltFormatError(`${where}: tree deeper than ${this.limits.maxDepth} levels`);
      if (visited.has(id)) throw new BoltFormatError(`page ${id}: multiple references`);
      visited.add(id);
      const p = this.page(id, where);
      if (p.flags & LEAF) {
        for (const e of this.leafEntries(p)) fn(e);
      } else if (p.flags & BRANCH) {
        const children = this.branchChildren(p);
        for (let i = children.length - 1; i >= 0; i--) stack.push({ id: children[i], depth: depth + 1 });
      } else {
        throw new BoltFormatError(`page ${p.id}: invalid type (flags 0x${p.flags.toString(16)}) in ${where}`);
      }
    }
  }

  /** Top-level bucket names, in key order. A non-bucket key at the top is corruption. */
  bucketNames(): Buffer[] {
    const names: Buffer[] = [];
    this.forEachIn({ root: this.meta.root, inline: null }, 'root bucket', (e) => {
      if (!e.bucket) throw new BoltFormatError(`root bucket: ${printable(e.key)} is not a bucket`);
      names.push(e.key);
    });
    return names;
  }

  /** Calls `fn` for each entry of a top-level bucket, in key order; false when there is no such bucket. */
  forEach(bucket: string | Buffer, fn: (e: BoltEntry) => void): boolean {
    const name = typeof bucket === 'string' ? Buffer.from(bucket) : bucket;
    let found: BoltEntry | null = null;
    this.forEachIn({ root: this.meta.root, inline: null }, 'root bucket', (e) => {
      if (e.bucket && found === null && e.key.equals(name)) found = e;
    });
    if (found === null) return false;
    const parent: Page = { id: this.meta.root, flags: LEAF, count: 0, overflow: 0, data: Buffer.alloc(0), where: 'root bucket' };
    this.forEachIn(this.bucketRoot(found, parent), `bucket ${printable(name)}`, fn);
    return true;
  }
}

/** bbolt's Open + db.meta(): page size from a valid meta 0, then the valid meta with the higher txid. */
function chooseMeta(file: Buffer): BoltMeta {
  if (file.length < OS_PAGE_SIZE) {
    throw new BoltFormatError(`file too small for a bbolt database (${file.length} bytes)`);
  }
  const m0 = readMeta(file, 0);
  let pageSize = OS_PAGE_SIZE;
  if (m0 && m0.problem === null && validPageSize(m0.pageSize)) pageSize = m0.pageSize;
  if (file.length < pageSize * 2) throw new BoltFormatError(`file too small for a bbolt database (${file.length} bytes)`);
  const m1 = readMeta(file, pageSize);
  const metas: Array<{ meta: RawMeta | null; page: 0 | 1 }> = [{ meta: m0, page: 0 }, { meta: m1, page: 1 }];
  if (m1 && m0 && m1.txid > m0.txid) metas.reverse();
  const chosen = metas.find((x) => x.meta !== null && x.meta.problem === null && x.meta.pageSize === pageSize);
  if (!chosen || !chosen.meta) {
    const why = m0?.problem ?? m1?.problem ?? 'page size mismatch';
    throw new BoltFormatError(`no valid meta page: ${why}`);
  }
  const m = chosen.meta;
  if ((file.readUInt16LE(chosen.page * pageSize + 8) & META) === 0) {
    throw new BoltFormatError(`meta page ${chosen.page} is not flagged as a meta page`);
  }
  if (!Number.isSafeInteger(m.pgid) || m.pgid < 3) throw new BoltFormatError(`meta: implausible page count ${m.pgid}`);
  if (m.pgid * pageSize > file.length) {
    throw new BoltFormatError(`truncated: the database holds ${m.pgid * pageSize} bytes (${m.pgid} pages) but the file has ${file.length}`);
  }
  if (m.root < 2 || m.root >= m.pgid) throw new BoltFormatError(`meta: root page ${m.root} is outside the database`);
  if (!m.freelistNone && (m.freelist < 2 || m.freelist >= m.pgid)) {
    throw new BoltFormatError(`meta: freelist page ${m.freelist} is outside the database`);
  }
  return {
    pageSize,
    flags: m.flags,
    root: m.root,
    freelist: m.freelistNone ? null : m.freelist,
    pgid: m.pgid,
    txid: m.txid,
    metaPage: chosen.page,
  };
}

/** A bucket or key name for a message: printable ASCII kept, the rest escaped, long names cut. */
export function printable(b: Buffer): string {
  let s = '';
  for (const c of b.subarray(0, 64)) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  return b.length > 64 ? `${s}...` : s;
}
