/**
 * A node tree that is a directory on disk. The only module that reads the node's files from disk.
 * Never opens anything but regular files, never follows links itself (FileTree does, confined).
 */
import { accessSync, lstatSync, readdirSync, opendirSync, readlinkSync, openSync, fstatSync, readSync, closeSync, constants, type Dirent, type Stats } from 'node:fs';
import type { DirEntry, EntryKind, KeyedBackend, RawBackend, RawStat } from './file-tree.js';

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'EACCES') return 'permission denied';
  if (e && e.code) return e.code;
  return String(err);
}

/** Directories up to this size (bytes, as lstat reports it) hold at most a few thousand names. */
const SMALL_DIR_BYTES = 64 * 1024;

/** Root may look up names in any directory it can list; anyone else needs search (x) permission too. */
const SEARCH_ALWAYS = process.getuid?.() === 0;

const NO_THROW = { throwIfNoEntry: false } as const;
const WITH_TYPES = { withFileTypes: true } as const;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** fstat refuses anything that is not a regular file, and a file over `maxBytes` unread; never more than its fstat size is read (it may grow while read). */
function readSized(fd: number, maxBytes: number): Buffer | { error: string; size?: number } {
  const st = fstatSync(fd);
  if (!st.isFile()) return { error: 'not a regular file' };
  if (st.size > maxBytes) return { error: 'over the size limit', size: st.size };
  const want = st.size;
  const buf = Buffer.allocUnsafe(want);
  let off = 0;
  while (off < want) {
    const n = readSync(fd, buf, off, want - off, off);
    if (n === 0) break;
    off += n;
  }
  return off === want ? buf : buf.subarray(0, off);
}

/** The kind readdir's d_type gives (Node.js lstats a DT_UNKNOWN entry itself); null when it says nothing. */
export function direntKind(d: Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>): EntryKind | null {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()) return 'other';
  return null;
}

/** Whether names in a directory can be looked up (search, x, permission). */
function searchable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function statKind(st: Stats): EntryKind {
  return st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
}

/** What the opener already read of the root: its listing and, when it stat'ed it, its stat (so neither is asked twice). */
export interface RootSeed {
  stat: Stats | null;
  entries: Dirent[];
}

/**
 * The size a directory holding these names has at least on ext4 (a 4 KiB block; 8 bytes and the
 * name, 4-byte aligned, per entry): what the tree's "small enough to list" guard needs to know of
 * a root it has the listing of without a stat. Only what reading costs depends on it.
 */
function listingBytes(entries: readonly Dirent[]): number {
  let bytes = 24;
  for (const e of entries) bytes += (8 + Buffer.byteLength(e.name) + 3) & ~3;
  return Math.max(4096, bytes);
}

/** An empty, `.` or `..` segment, or a NUL, in a key (segments joined by '/'): what could make a joined path climb out. */
const UNSAFE_KEY = /(?:^|\/)\.{0,2}(?:\/|$)|\0/;

/**
 * Keys seen to be safe. The trees of a fleet ask for the same few hundred keys, one tree after
 * another: a set lookup (the key's hash is mostly known already, from the tree's own maps) costs
 * less than the regex test. Keyed by the whole key, so it only ever answers what the test would;
 * bounded: past `SAFE_KEYS_MAX` keys or `SAFE_KEY_CHARS_MAX` characters, nothing more is learned.
 */
const safeKeys = new Set<string>();
const SAFE_KEYS_MAX = 4096;
const SAFE_KEY_CHARS_MAX = 1 << 18;
let safeKeyChars = 0;

/**
 * A path below the root: its segments, or the same as a key (joined by '/', '' for the root).
 * Both have length 0 for the root.
 */
type Where = readonly string[] | string;

export class DirectoryBackend implements RawBackend, KeyedBackend {
  /** Every method also takes a key (see Where): FileTree then neither splits nor joins a path. */
  readonly keyed: KeyedBackend = this;
  /** The root with one trailing slash: a segment joined to it names the entry below the root. */
  private readonly base: string;
  private rootStat: RawStat | null = null;
  private rootEntries: Dirent[] | null = null;

  constructor(
    private readonly root: string,
    seed?: RootSeed,
  ) {
    this.base = root.endsWith('/') ? root : `${root}/`;
    if (seed) {
      this.rootStat = seed.stat !== null ? { kind: statKind(seed.stat), size: seed.stat.size } : { kind: 'dir', size: listingBytes(seed.entries) };
      this.rootEntries = seed.entries;
    }
  }

  private host(where: Where): string {
    // FileTree never hands over these; refusing them here too keeps `join` from ever climbing out.
    if (typeof where === 'string') {
      if (where === '') return this.root;
      if (!safeKeys.has(where)) {
        if (UNSAFE_KEY.test(where)) throw Object.assign(new Error('unsafe path segment'), { code: 'EINVAL' });
        if (safeKeys.size < SAFE_KEYS_MAX && safeKeyChars + where.length <= SAFE_KEY_CHARS_MAX) {
          safeKeys.add(where);
          safeKeyChars += where.length;
        }
      }
      return this.base + where;
    }
    const segments = where;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
        throw Object.assign(new Error('unsafe path segment'), { code: 'EINVAL' });
      }
    }
    return segments.length === 0 ? this.root : this.base + segments.join('/');
  }

  lstat(segments: Where): RawStat | null | { error: string } {
    if (segments.length === 0 && this.rootStat !== null) return this.rootStat;
    try {
      // No exception for a missing entry: scanners probe many paths a node may not have.
      const st = lstatSync(this.host(segments), NO_THROW);
      if (st === undefined) return null;
      return { kind: statKind(st), size: st.size };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return null;
      return { error: errText(err) };
    }
  }

  readlink(segments: Where): string | null {
    try {
      return readlinkSync(this.host(segments));
    } catch {
      return null;
    }
  }

  read(segments: Where, maxBytes = Number.MAX_SAFE_INTEGER): Buffer | { error: string; size?: number } {
    // O_NOFOLLOW | O_NONBLOCK: the entry was seen to be a regular file (by lstat or by its
    // directory's listing), but it could be swapped for a link, a FIFO or a device between then and
    // the open; neither may be followed nor block us. fstat then comes before any read: a device can
    // answer a positioned read with a short record (/dev/kmsg gives a kernel log line) that would
    // pass for a small file, so only a regular file is read at all; over the limit, it is not read.
    let fd: number | null = null;
    try {
      fd = openSync(this.host(segments), OPEN_FLAGS);
      return readSized(fd, maxBytes);
    } catch (err) {
      return { error: errText(err) };
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  list(segments: Where, maxEntries = Number.MAX_SAFE_INTEGER, size?: number): string[] | { error: string } {
    const entries = this.readEntries(segments, maxEntries, size ?? -1);
    return Array.isArray(entries) ? entries.map((e) => e.name) : entries;
  }

  listWithKinds(segments: Where, maxEntries = Number.MAX_SAFE_INTEGER, size = -1): DirEntry[] | { error: string } {
    const entries = this.readEntries(segments, maxEntries, size);
    // A directory one may read but not search (r without x) lists its names, but looking any of
    // them up is EACCES: no kinds then, and the tree falls back to `list` and one lstat per name.
    // Root may search any directory: its path is not even made then.
    if (Array.isArray(entries) && !SEARCH_ALWAYS && !searchable(segments.length === 0 ? this.root : this.host(segments))) return { error: 'permission denied' };
    return entries;
  }

  private readEntries(segments: Where, maxEntries: number, size: number): DirEntry[] | { error: string } {
    if (segments.length === 0 && this.rootEntries !== null) {
      const seeded = this.rootEntries;
      this.rootEntries = null;
      return seeded.map((d) => ({ name: d.name, kind: direntKind(d) }));
    }
    if (size < 0) {
      // Known only from its parent's listing: lstat says whether it is small.
      const st = this.lstat(segments);
      size = st && !('error' in st) && st.kind === 'dir' ? st.size : 0;
    }
    // A small directory (its size says so on every common filesystem: ext4, xfs, btrfs, tmpfs,
    // overlayfs) is read in one call, twice as fast as opendir's batches; anything else in batches,
    // so a directory with millions of entries costs only what we keep.
    if (size > 0 && size <= SMALL_DIR_BYTES) {
      try {
        const out: DirEntry[] = [];
        const dirents = readdirSync(this.host(segments), WITH_TYPES);
        for (let i = 0; i < dirents.length; i++) {
          const d = dirents[i];
          out.push({ name: d.name, kind: direntKind(d) });
        }
        return out;
      } catch (err) {
        return { error: errText(err) };
      }
    }
    let dir: ReturnType<typeof opendirSync> | null = null;
    try {
      dir = opendirSync(this.host(segments));
      const out: DirEntry[] = [];
      while (out.length <= maxEntries) {
        const d = dir.readSync();
        if (d === null) break;
        out.push({ name: d.name, kind: direntKind(d) });
      }
      return out;
    } catch (err) {
      return { error: errText(err) };
    } finally {
      if (dir !== null) {
        try {
          dir.closeSync();
        } catch {
          // already closed
        }
      }
    }
  }
}
