/**
 * Reads a node's files from a `.tar` / `.tar.gz` archive into memory: nothing is ever written to
 * disk, nothing outside the archive is read. The archive is streamed through the `tar` package's
 * parser (https://github.com/isaacs/node-tar, format: POSIX pax / ustar and GNU tar, see tar(5)).
 *
 * Entry names are confined to the archive: `./etc/x`, `etc/x` and `/etc/x` all name `/etc/x`;
 * a name that climbs out (`../x`) is refused. Symlinks are kept as links (FileTree resolves them
 * inside the archive), hard links take their target's content, devices and FIFOs are kept as
 * `other` (never opened). Entry count, total size, file size and name length are bounded.
 */
// fs.promises, not node:fs/promises: the bundle then loads it only when an archive is read.
import { constants, promises as fsp } from 'node:fs';
import type { ReadEntry } from 'tar';
import type { Finding } from '../model/types.js';
import { DEFAULT_LIMITS, FileTree, quoteName, type RawBackend, type RawStat, type TreeLimits } from './file-tree.js';
import { MemoryBackend, type MemoryEntry } from './memory.js';
import { MountBackend } from './mount.js';
import { detectDirectoryKind, InputError, MOUNT_POINTS, type DirectoryKind } from './open.js';

export interface ArchiveLimits {
  /** Entries read (files, directories, links, anything); past this, reading stops. */
  maxEntries: number;
  /** Sum of the entries' sizes; past this, reading stops. */
  maxTotalBytes: number;
  /** Largest file whose content is kept; a larger one is recorded with its size only. */
  maxFileBytes: number;
  /** Longest entry name or link target, in characters. */
  maxNameLength: number;
  /** Most path components in one entry name. */
  maxNameDepth: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 50000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxFileBytes: DEFAULT_LIMITS.maxFileBytes,
  maxNameLength: 4096,
  maxNameDepth: 64,
};

export interface TarOptions {
  /** Label of the tree (the path as the user gave it). */
  label?: string;
  limits?: Partial<TreeLimits>;
  archiveLimits?: Partial<ArchiveLimits>;
}

export interface TarContents {
  backend: MemoryBackend;
  findings: Finding[];
  /** Entries read, of any type. */
  entries: number;
}

export type ArchiveFormat = 'tar' | 'gzip' | 'zstd' | 'xz' | 'bzip2';

/** Recognizes an archive from its first bytes (at least 512 for an uncompressed tar); null when it is not one. */
export function sniffArchive(head: Buffer): ArchiveFormat | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 512 && isTarHeader(head.subarray(0, 512))) return 'tar';
  return null;
}

/** A 512-byte block is a tar header when its checksum (field at 148, spaces while summing) is right. */
function isTarHeader(block: Buffer): boolean {
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === parseInt(field, 8) && sum !== 8 * 0x20;
}

type NameResult = { ok: true; segments: string[]; absolute: boolean } | { ok: false; code: 'escapes' | 'too-long' | 'too-deep' | 'bad' };

/** Confines an entry name to the archive root. */
export function normalizeEntryName(name: string, limits: Pick<ArchiveLimits, 'maxNameLength' | 'maxNameDepth'> = DEFAULT_ARCHIVE_LIMITS): NameResult {
  if (name.length > limits.maxNameLength) return { ok: false, code: 'too-long' };
  if (name.includes('\0')) return { ok: false, code: 'bad' };
  const segments: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return { ok: false, code: 'escapes' };
      segments.pop();
    } else segments.push(part);
  }
  if (segments.length > limits.maxNameDepth) return { ok: false, code: 'too-deep' };
  return { ok: true, segments, absolute: name.startsWith('/') };
}

/** Problems counted per kind, reported once each with a few examples (a hostile archive can hold millions). */
class Tally {
  private readonly counts = new Map<string, { severity: Finding['severity']; n: number; examples: string[]; text: string }>();

  add(code: string, severity: Finding['severity'], example: string, text: string): void {
    const t = this.counts.get(code) ?? { severity, n: 0, examples: [], text };
    t.n++;
    if (t.examples.length < 3) t.examples.push(quoteName(example, 120));
    this.counts.set(code, t);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const [code, t] of this.counts) {
      const more = t.n > t.examples.length ? `, and ${t.n - t.examples.length} more` : '';
      out.push({ severity: t.severity, code, path: null, message: `${t.text} (${t.n}: ${t.examples.join(', ')}${more}).` });
    }
    return out;
  }
}

/** Streams an archive (a file path, bytes, or chunks) into memory. Throws InputError when nothing at all could be read. */
export async function readTar(
  input: string | Buffer | AsyncIterable<Buffer>,
  archiveLimits: Partial<ArchiveLimits> = {},
  label = typeof input === 'string' ? input : 'archive',
): Promise<TarContents> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...archiveLimits };
  const backend = new MemoryBackend();
  const tally = new Tally();
  const findings: Finding[] = [];
  const pendingLinks: { segments: string[]; target: string[]; name: string }[] = [];
  let entries = 0;
  let stored = 0;
  let totalBytes = 0;
  let stopped = false;
  let failure: string | null = null;
  let current: { name: string; done: boolean } | null = null;

  const stop = (f: Finding): void => {
    if (stopped) return;
    stopped = true;
    findings.push(f);
  };

  const countEntry = (name: string): boolean => {
    if (stopped) return false;
    if (++entries > limits.maxEntries) {
      stop({
        severity: 'error',
        code: 'archive-too-many-entries',
        path: null,
        message: `${label} holds more than ${limits.maxEntries} entries: reading stopped there, the rest of the archive was not read.`,
      });
      return false;
    }
    void name;
    return true;
  };

  const onEntry = (entry: ReadEntry): void => {
    if (!countEntry(entry.path)) {
      entry.resume();
      return;
    }
    const size = entry.size ?? 0;
    totalBytes += size;
    if (totalBytes > limits.maxTotalBytes) {
      stop({
        severity: 'error',
        code: 'archive-too-large',
        path: null,
        message: `${label} unpacks to more than ${limits.maxTotalBytes} bytes: reading stopped at ${quoteName(entry.path, 120)}, the rest of the archive was not read.`,
      });
      entry.resume();
      return;
    }
    const name = normalizeEntryName(entry.path, limits);
    if (!name.ok) {
      if (name.code === 'escapes') tally.add('archive-name-escapes', 'warning', entry.path, "Archive entries whose names climb out of the archive's root were not read");
      else if (name.code === 'too-long') tally.add('archive-name-too-long', 'warning', entry.path, `Archive entries with names over ${limits.maxNameLength} characters were not read`);
      else if (name.code === 'too-deep') tally.add('archive-name-too-deep', 'warning', entry.path, `Archive entries with names over ${limits.maxNameDepth} levels deep were not read`);
      else tally.add('archive-name-invalid', 'warning', entry.path, 'Archive entries with invalid names (NUL bytes) were not read');
      entry.resume();
      return;
    }
    if (name.segments.length === 0) {
      entry.resume();
      return;
    }
    if (name.absolute) tally.add('archive-absolute-name', 'info', entry.path, "Archive entries with absolute names were read relative to the archive's root");
    const nodePath = '/' + name.segments.join('/');
    switch (entry.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        const keep = size <= limits.maxFileBytes;
        const chunks: Buffer[] = [];
        let got = 0;
        const me = { name: entry.path, done: false };
        current = me;
        entry.on('data', (c: Buffer) => {
          got += c.length;
          if (keep && got <= limits.maxFileBytes) chunks.push(c);
        });
        entry.on('end', () => {
          me.done = true;
          if (stopped) return;
          if (got < size) {
            tally.add('archive-truncated-entry', 'error', entry.path, 'Archive entries cut short by the end of the archive were not read');
            return;
          }
          const data = keep ? Buffer.concat(chunks) : Buffer.alloc(0);
          stored += data.length;
          backend.add(nodePath, keep ? { kind: 'file', data } : { kind: 'file', data, size });
        });
        return;
      }
      case 'Directory':
      case 'GNUDumpDir':
        backend.add(nodePath, { kind: 'dir' });
        break;
      case 'SymbolicLink': {
        const target = entry.linkpath ?? '';
        if (target.length > limits.maxNameLength || target.includes('\0')) {
          tally.add('archive-link-invalid', 'warning', entry.path, `Symlinks with targets over ${limits.maxNameLength} characters or with NUL bytes were not read`);
        } else backend.add(nodePath, { kind: 'symlink', target });
        break;
      }
      case 'Link': {
        const target = normalizeEntryName(entry.linkpath ?? '', limits);
        if (!target.ok || target.segments.length === 0) {
          tally.add('archive-hardlink-invalid', 'warning', entry.path, "Hard links to names outside the archive's root were not read");
        } else if (!copyHardLink(backend, name.segments, target.segments)) {
          pendingLinks.push({ segments: name.segments, target: target.segments, name: entry.path });
        }
        break;
      }
      case 'CharacterDevice':
      case 'BlockDevice':
      case 'FIFO':
        backend.add(nodePath, { kind: 'other' });
        break;
      default:
        tally.add('archive-unsupported-entry', 'info', entry.path, `Archive entries of a type kdiff does not read were skipped`);
    }
    entry.resume();
  };

  // Loaded here, not at the top: most runs read directories, and the package is large.
  const { Parser } = await import('tar');
  const parser = new Parser({
    maxMetaEntrySize: 64 * 1024,
    onReadEntry: onEntry,
  });
  let sawEnd = false;
  parser.on('eof', () => {
    sawEnd = true;
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    if (!countEntry(entry.path)) return;
    if (!entry.meta) tally.add('archive-unsupported-entry', 'info', entry.path, `Archive entries of a type kdiff does not read were skipped`);
    else tally.add('archive-damaged', 'warning', entry.path, 'Archive entries with oversized extended headers were skipped');
  });
  parser.on('warn', (code: string, message: string, data: { entry?: ReadEntry }) => {
    if (code === 'TAR_BAD_ARCHIVE' && /truncated/i.test(message)) {
      if (findings.some((f) => f.code === 'archive-truncated')) return;
      findings.push({
        severity: 'error',
        code: 'archive-truncated',
        path: null,
        message: `${label} is truncated: the entries before the cut were read, the rest is missing.`,
      });
    } else if (code === 'TAR_BAD_ARCHIVE') {
      failure = failure ?? 'not a tar archive';
    } else {
      tally.add('archive-damaged', 'warning', data?.entry?.path ?? String(message), 'Damaged archive headers were skipped');
    }
  });

  const done = new Promise<void>((resolve) => {
    parser.on('end', () => resolve());
    parser.on('error', (err: Error) => {
      const msg = err && err.message ? err.message : String(err);
      if (/decompression ratio/.test(msg)) {
        stop({
          severity: 'error',
          code: 'archive-too-large',
          path: null,
          message: `${label} decompresses more than 1000-fold (a compression bomb?): reading stopped, the rest of the archive was not read.`,
        });
      } else {
        findings.push({
          severity: 'error',
          code: 'archive-truncated',
          path: null,
          message: `${label} could not be read to its end (${msg.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}): the entries before the damage were read.`,
        });
        failure = failure ?? msg;
      }
      resolve();
    });
  });

  const feed = async (): Promise<void> => {
    if (Buffer.isBuffer(input)) {
      for (let off = 0; off < input.length && !stopped; off += 65536) {
        parser.write(input.subarray(off, off + 65536));
      }
    } else if (typeof input === 'string') {
      // O_NONBLOCK: a FIFO named as an archive must not block us.
      const fh = await fsp.open(input, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      if (!(await fh.stat()).isFile()) {
        await fh.close();
        throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
      }
      try {
        const buf = Buffer.alloc(65536);
        while (!stopped) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          parser.write(Buffer.from(buf.subarray(0, bytesRead)));
        }
      } finally {
        await fh.close();
      }
    } else {
      for await (const chunk of input) {
        if (stopped) break;
        parser.write(chunk);
      }
    }
  };

  try {
    await feed();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${label}: cannot be read (${code ?? String(err)})`);
  }
  if (stopped) {
    parser.removeAllListeners('entry');
  } else {
    parser.end();
    await done;
  }
  if (!stopped && !sawEnd && !findings.some((f) => f.code === 'archive-truncated')) {
    findings.push({
      severity: 'error',
      code: 'archive-truncated',
      path: null,
      message: `${label} ends without tar's end-of-archive marker (cut short?): the entries before the cut were read, the rest may be missing.`,
    });
  }
  const cur = current as { name: string; done: boolean } | null;
  if (cur && !cur.done && !stopped) {
    tally.add('archive-truncated-entry', 'error', cur.name, 'Archive entries cut short by the end of the archive were not read');
  }
  for (const link of pendingLinks) {
    if (backend.get('/' + link.segments.join('/'))) continue;
    if (!copyHardLink(backend, link.segments, link.target)) {
      tally.add('archive-hardlink-missing', 'warning', link.name, 'Hard links to files that are not in the archive were not read');
    }
  }
  void stored;
  if (entries === 0) {
    throw new InputError(`${label}: ${failure ?? 'the archive holds no entries'}`);
  }
  return { backend, findings: [...findings, ...tally.findings()], entries };
}

/** A hard link takes its target's content (or its link, or its `other`); false when the target is not there yet. */
function copyHardLink(backend: MemoryBackend, segments: string[], target: string[]): boolean {
  const t = backend.get('/' + target.join('/'));
  if (!t || t.kind === 'dir') return false;
  const copy: MemoryEntry = t.kind === 'file' ? { kind: 'file', data: t.data, size: t.size } : { ...t };
  backend.add('/' + segments.join('/'), copy);
  return true;
}

/** Presents a subdirectory of a backend as its root (the one folder a `tar czf x.tgz node1/` wraps everything in). */
class SubdirBackend implements RawBackend {
  constructor(
    private readonly inner: RawBackend,
    private readonly prefix: readonly string[],
  ) {}

  lstat(segments: readonly string[]): RawStat | null | { error: string } {
    return this.inner.lstat([...this.prefix, ...segments]);
  }

  readlink(segments: readonly string[]): string | null {
    return this.inner.readlink([...this.prefix, ...segments]);
  }

  read(segments: readonly string[], maxBytes?: number): Buffer | { error: string } {
    return this.inner.read([...this.prefix, ...segments], maxBytes);
  }

  list(segments: readonly string[], maxEntries?: number): string[] | { error: string } {
    return this.inner.list([...this.prefix, ...segments], maxEntries);
  }
}

const ROOT_NAMES = new Set(['etc', 'var', 'usr', 'lib', 'run', 'opt']);

/**
 * Where the node's files start in the archive: at its root, or inside the one directory that wraps
 * everything (`node1/etc/...`, `kubernetes/manifests/...`) when what is inside looks like a node.
 */
function archiveRoot(backend: MemoryBackend): { prefix: string[]; kind: DirectoryKind } {
  let prefix: string[] = [];
  for (let i = 0; i < 3; i++) {
    const names = backend.list(prefix);
    if (!Array.isArray(names)) break;
    const kind = detectDirectoryKind(names);
    if (kind !== 'root' || names.some((n) => ROOT_NAMES.has(n)) || names.length !== 1) return { prefix, kind };
    const only = [...prefix, names[0]];
    if (backend.lstat(only)?.kind !== 'dir') return { prefix, kind };
    const inner = backend.list(only);
    if (!Array.isArray(inner)) return { prefix, kind };
    const innerKind = detectDirectoryKind(inner);
    if (innerKind === 'root' && !inner.some((n) => ROOT_NAMES.has(n))) return { prefix, kind };
    prefix = only;
  }
  const names = backend.list(prefix);
  return { prefix, kind: detectDirectoryKind(Array.isArray(names) ? names : []) };
}

/** A FileTree over what an archive holds, mounted as its directory would be (a node root, an /etc/kubernetes, a unit directory). */
export function treeFromTar(contents: TarContents, label: string, limits?: Partial<TreeLimits>): { tree: FileTree; kind: DirectoryKind } {
  const { prefix, kind } = archiveRoot(contents.backend);
  const base: RawBackend = prefix.length > 0 ? new SubdirBackend(contents.backend, prefix) : contents.backend;
  const backend = kind === 'root' ? base : new MountBackend(base, MOUNT_POINTS[kind]);
  const tree = new FileTree(label, backend, limits);
  for (const f of contents.findings) tree.addFinding(f);
  return { tree, kind };
}

/** Opens a `.tar` / `.tar.gz` file (detected by its bytes, not its name) as a node tree. */
export async function openTar(path: string, options: TarOptions = {}): Promise<{ tree: FileTree; kind: DirectoryKind }> {
  const label = options.label ?? path;
  const contents = await readTar(path, { maxFileBytes: options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes, ...options.archiveLimits }, label);
  return treeFromTar(contents, label, options.limits);
}

/** The same, from bytes already in memory. */
export async function openTarBuffer(data: Buffer, options: TarOptions = {}): Promise<{ tree: FileTree; kind: DirectoryKind }> {
  const label = options.label ?? 'archive';
  const contents = await readTar(data, { maxFileBytes: options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes, ...options.archiveLimits }, label);
  return treeFromTar(contents, label, options.limits);
}
