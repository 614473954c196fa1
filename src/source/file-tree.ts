/**
 * FileTree: the one read-only, confined view of a node's files that every scanner reads through.
 *
 * Node paths are absolute POSIX paths as they are on the node (`/etc/kubernetes/admin.conf`).
 * Symlinks are resolved by this layer, never by the OS: an absolute link target resolves against
 * the tree's root (kubeadm's `kubelet-client-current.pem` is an absolute link), a relative target
 * that climbs above the root, a loop, or a link to something that is neither a regular file nor a
 * directory is refused with a finding. Special files (FIFOs, sockets, devices) are never opened.
 * Symlink semantics follow path_resolution(7): https://man7.org/linux/man-pages/man7/path_resolution.7.html
 */
import type { Finding } from '../model/types.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** What a backend knows about one entry, without following links. */
export interface RawStat {
  kind: EntryKind;
  size: number;
}

/** A storage backend: a directory on disk, an archive held in memory. Paths are segment arrays. */
export interface RawBackend {
  lstat(segments: readonly string[]): RawStat | null | { error: string };
  readlink(segments: readonly string[]): string | null;
  read(segments: readonly string[]): Buffer | { error: string };
  list(segments: readonly string[]): string[] | { error: string };
}

export interface TreeLimits {
  /** Largest file read, in bytes. Config files are small. */
  maxFileBytes: number;
  /** Symlinks followed while resolving one path (ELOOP is 40 on Linux). */
  maxLinkHops: number;
  /** Entries visited by one walk. */
  maxWalkEntries: number;
  /** Depth of one walk below its start. */
  maxWalkDepth: number;
}

export const DEFAULT_LIMITS: TreeLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxLinkHops: 40,
  maxWalkEntries: 20000,
  maxWalkDepth: 12,
};

interface Resolved {
  segments: string[];
  stat: RawStat;
}

/** Normalizes a node path to segments; `..` never climbs above the root (as at `/` on the node). */
export function nodeSegments(nodePath: string): string[] {
  const out: string[] = [];
  for (const part of nodePath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

export function joinNodePath(...parts: string[]): string {
  return '/' + nodeSegments(parts.join('/')).join('/');
}

export class FileTree {
  readonly label: string;
  readonly limits: TreeLimits;
  private readonly backend: RawBackend;
  private readonly problems = new Map<string, Finding>();
  private readonly textCache = new Map<string, string | null>();

  constructor(label: string, backend: RawBackend, limits: Partial<TreeLimits> = {}) {
    this.label = label;
    this.backend = backend;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Problems met while reading (refused links, unreadable or oversized files), sorted, one per path and code. */
  findings(): Finding[] {
    return [...this.problems.values()].sort((a, b) =>
      `${a.path}\u0000${a.code}`.localeCompare(`${b.path}\u0000${b.code}`),
    );
  }

  /** Records a problem against this tree (used by the tree's own sources, e.g. a tar reader). */
  addFinding(f: Finding): void {
    const key = `${f.code}\u0000${f.path}`;
    if (!this.problems.has(key)) this.problems.set(key, f);
  }

  /** The entry kind at a node path after following links, or null when absent or refused. */
  kind(nodePath: string): 'file' | 'dir' | null {
    const r = this.resolve(nodePath);
    if (!r) return null;
    return r.stat.kind === 'file' ? 'file' : r.stat.kind === 'dir' ? 'dir' : null;
  }

  exists(nodePath: string): boolean {
    return this.kind(nodePath) !== null;
  }

  isFile(nodePath: string): boolean {
    return this.kind(nodePath) === 'file';
  }

  isDir(nodePath: string): boolean {
    return this.kind(nodePath) === 'dir';
  }

  /** The raw target of a symlink at a node path (its last segment is not followed), or null. */
  readLink(nodePath: string): string | null {
    const segs = nodeSegments(nodePath);
    if (segs.length === 0) return null;
    const parent = this.resolveSegments(segs.slice(0, -1), nodePath, true);
    if (!parent || parent.stat.kind !== 'dir') return null;
    const here = [...parent.segments, segs[segs.length - 1]];
    const st = this.backend.lstat(here);
    if (!st || 'error' in st || st.kind !== 'symlink') return null;
    return this.backend.readlink(here);
  }

  /** The node path a path really names once links are followed (confined), or null. */
  realPath(nodePath: string): string | null {
    const r = this.resolve(nodePath);
    return r ? '/' + r.segments.join('/') : null;
  }

  /** Sorted names in a directory (links not followed); [] when it is not a directory. */
  list(nodePath: string): string[] {
    const r = this.resolve(nodePath);
    if (!r || r.stat.kind !== 'dir') return [];
    const names = this.backend.list(r.segments);
    if (!Array.isArray(names)) {
      this.addFinding({
        severity: 'warning',
        code: 'unreadable',
        path: joinNodePath(nodePath),
        message: `Could not list ${joinNodePath(nodePath)}: ${names.error}.`,
      });
      return [];
    }
    return [...names].sort();
  }

  /** Bytes of a regular file; null when absent, refused, unreadable or over the size limit (with a finding for all but absent). */
  readBytes(nodePath: string, options: { maxBytes?: number } = {}): Buffer | null {
    const limit = options.maxBytes ?? this.limits.maxFileBytes;
    const path = joinNodePath(nodePath);
    const r = this.resolve(path);
    if (!r) return null;
    if (r.stat.kind !== 'file') {
      if (r.stat.kind === 'other') {
        this.addFinding({
          severity: 'warning',
          code: 'special-file',
          path,
          message: `${path} is not a regular file (FIFO, socket or device): not opened.`,
        });
      }
      return null;
    }
    if (r.stat.size > limit) {
      this.addFinding({
        severity: 'warning',
        code: 'file-too-large',
        path,
        message: `${path} is ${r.stat.size} bytes, over the ${limit}-byte limit for a config file: not read.`,
      });
      return null;
    }
    const data = this.backend.read(r.segments);
    if (!Buffer.isBuffer(data)) {
      this.addFinding({ severity: 'warning', code: 'unreadable', path, message: `Could not read ${path}: ${data.error}.` });
      return null;
    }
    if (data.length > limit) {
      this.addFinding({
        severity: 'warning',
        code: 'file-too-large',
        path,
        message: `${path} is over the ${limit}-byte limit for a config file: not read.`,
      });
      return null;
    }
    return data;
  }

  /** UTF-8 text of a regular file (a leading BOM removed); null as for readBytes. Cached per path. */
  readText(nodePath: string): string | null {
    const path = joinNodePath(nodePath);
    if (this.textCache.has(path)) return this.textCache.get(path) ?? null;
    const data = this.readBytes(path);
    let text: string | null = null;
    if (data) {
      text = data.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.textCache.set(path, text);
    return text;
  }

  /**
   * Regular files below a directory (links followed, confined), as sorted node paths.
   * Bounded by depth and entry count; hitting a bound is a finding.
   */
  walkFiles(nodePath: string, filter?: (path: string) => boolean): string[] {
    const start = joinNodePath(nodePath);
    const out: string[] = [];
    let visited = 0;
    const seen = new Set<string>();
    const visit = (dir: string, depth: number): void => {
      const real = this.realPath(dir);
      if (!real || seen.has(real)) return;
      seen.add(real);
      for (const name of this.list(dir)) {
        if (++visited > this.limits.maxWalkEntries) {
          this.addFinding({
            severity: 'warning',
            code: 'walk-limit',
            path: start,
            message: `More than ${this.limits.maxWalkEntries} entries below ${start}: the rest was not read.`,
          });
          return;
        }
        const child = dir === '/' ? `/${name}` : `${dir}/${name}`;
        const k = this.kind(child);
        if (k === 'dir') {
          if (depth + 1 > this.limits.maxWalkDepth) {
            this.addFinding({
              severity: 'warning',
              code: 'depth-limit',
              path: child,
              message: `${child} is more than ${this.limits.maxWalkDepth} levels below ${start}: not read.`,
            });
            continue;
          }
          visit(child, depth + 1);
        } else if (k === 'file' && (!filter || filter(child))) {
          out.push(child);
        }
      }
    };
    visit(start, 0);
    return out.sort();
  }

  private resolve(nodePath: string): Resolved | null {
    return this.resolveSegments(nodeSegments(nodePath), joinNodePath(nodePath), false);
  }

  private refuse(code: string, path: string, message: string): null {
    this.addFinding({ severity: 'warning', code, path, message });
    return null;
  }

  /** Walks segment by segment, following links inside the tree. */
  private resolveSegments(input: string[], display: string, parentOnly: boolean): Resolved | null {
    let pending = [...input];
    let current: string[] = [];
    let hops = 0;
    let stat: RawStat = { kind: 'dir', size: 0 };
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '.' || name === '') continue;
      if (name === '..') {
        current.pop();
        continue;
      }
      const next = [...current, name];
      const st = this.backend.lstat(next);
      if (st === null) return null;
      if ('error' in st) {
        return this.refuse('unreadable', display, `Could not read ${display}: ${st.error}.`);
      }
      if (st.kind === 'symlink') {
        if (++hops > this.limits.maxLinkHops) {
          return this.refuse('symlink-loop', display, `${display} is a symlink loop (more than ${this.limits.maxLinkHops} links): not followed.`);
        }
        const target = this.backend.readlink(next);
        if (target === null) return null;
        if (target.startsWith('/')) {
          current = [];
          pending = [...target.split('/'), ...pending];
        } else {
          // A relative target must stay inside the tree; climbing out is refused, not clamped.
          const base = [...current];
          for (const part of target.split('/')) {
            if (part === '' || part === '.') continue;
            if (part === '..') {
              if (base.length === 0) {
                return this.refuse(
                  'symlink-escapes-root',
                  display,
                  `${display} is a symlink to ${target}, which leads outside the node's tree: not followed.`,
                );
              }
              base.pop();
            } else base.push(part);
          }
          current = [];
          pending = [...base, ...pending];
        }
        continue;
      }
      if (st.kind === 'other') {
        if (pending.length > 0) return null;
        current = next;
        stat = st;
        continue;
      }
      if (st.kind === 'file' && pending.length > 0) return null;
      current = next;
      stat = st;
    }
    if (parentOnly && stat.kind !== 'dir') return null;
    return { segments: current, stat };
  }
}
