/**
 * A node tree that is a directory on disk. The only module that reads the node's files from disk.
 * Never opens anything but regular files, never follows links itself (FileTree does, confined).
 */
import { lstatSync, readdirSync, opendirSync, readlinkSync, openSync, fstatSync, readSync, closeSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { RawBackend, RawStat } from './file-tree.js';

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'EACCES') return 'permission denied';
  if (e && e.code) return e.code;
  return String(err);
}

/** Directories up to this size (bytes, as lstat reports it) hold at most a few thousand names. */
const SMALL_DIR_BYTES = 64 * 1024;

export class DirectoryBackend implements RawBackend {
  constructor(private readonly root: string) {}

  private host(segments: readonly string[]): string {
    // FileTree never hands over these; refusing them here too keeps `join` from ever climbing out.
    for (const s of segments) {
      if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
        throw Object.assign(new Error('unsafe path segment'), { code: 'EINVAL' });
      }
    }
    return segments.length === 0 ? this.root : join(this.root, ...segments);
  }

  lstat(segments: readonly string[]): RawStat | null | { error: string } {
    try {
      // No exception for a missing entry: scanners probe many paths a node may not have.
      const st = lstatSync(this.host(segments), { throwIfNoEntry: false });
      if (st === undefined) return null;
      const kind = st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      return { kind, size: st.size };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return null;
      return { error: errText(err) };
    }
  }

  readlink(segments: readonly string[]): string | null {
    try {
      return readlinkSync(this.host(segments));
    } catch {
      return null;
    }
  }

  read(segments: readonly string[], maxBytes = Number.MAX_SAFE_INTEGER): Buffer | { error: string } {
    // O_NOFOLLOW | O_NONBLOCK: the entry was checked to be a regular file, but it could be swapped
    // for a link or a FIFO between the check and the open; neither may be followed nor block us.
    // The file may also have grown since it was checked: never read more than maxBytes + 1.
    let fd: number | null = null;
    try {
      fd = openSync(this.host(segments), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
      const st = fstatSync(fd);
      if (!st.isFile()) return { error: 'not a regular file' };
      const want = Math.min(st.size, maxBytes + 1);
      const buf = Buffer.alloc(want);
      let off = 0;
      while (off < want) {
        const n = readSync(fd, buf, off, want - off, off);
        if (n === 0) break;
        off += n;
      }
      return off === want ? buf : buf.subarray(0, off);
    } catch (err) {
      return { error: errText(err) };
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  list(segments: readonly string[], maxEntries = Number.MAX_SAFE_INTEGER, size?: number): string[] | { error: string } {
    // A small directory (its size says so on every common filesystem: ext4, xfs, btrfs, tmpfs,
    // overlayfs) is read in one call, twice as fast as opendir's batches; anything else in batches,
    // so a directory with millions of entries costs only what we keep.
    if (size !== undefined && size > 0 && size <= SMALL_DIR_BYTES) {
      try {
        return readdirSync(this.host(segments));
      } catch (err) {
        return { error: errText(err) };
      }
    }
    let dir: ReturnType<typeof opendirSync> | null = null;
    try {
      dir = opendirSync(this.host(segments));
      const names: string[] = [];
      while (names.length <= maxEntries) {
        const ent = dir.readSync();
        if (ent === null) break;
        names.push(ent.name);
      }
      return names;
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
