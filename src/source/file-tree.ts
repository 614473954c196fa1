/**
 * FileTree: the one read-only, confined view of a node's files that every scanner reads through.
 *
 * Node paths are absolute POSIX paths as they are on the node (`/etc/kubernetes/admin.conf`).
 * Symlinks are resolved by this layer, never by the OS: an absolute link target resolves against
 * the tree's root (kubeadm's `kubelet-client-current.pem` is an absolute link), a relative target
 * that climbs above the root, a loop, or a link to something that is neither a regular file nor a
 * directory is refused with a finding. Special files (FIFOs, sockets, devices) are never opened.
 * Every walk, listing, path and read is bounded, so a hostile tree costs bounded time and memory.
 * Symlink semantics follow path_resolution(7): https://man7.org/linux/man-pages/man7/path_resolution.7.html
 */
import type { Finding } from '../model/types.js';
import { quoteText } from '../util/quote.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** What a backend knows about one entry, without following links. */
export interface RawStat {
  kind: EntryKind;
  /** Bytes; -1 when not known (the tree saw the entry only in its directory's listing). */
  size: number;
}

/** One name in a directory and its kind as the listing tells it (links not followed); null when the listing does not say. */
export interface DirEntry {
  name: string;
  kind: EntryKind | null;
}

/** A storage backend: a directory on disk, an archive held in memory. Paths are segment arrays. */
export interface RawBackend {
  lstat(segments: readonly string[]): RawStat | null | { error: string };
  readlink(segments: readonly string[]): string | null;
  /**
   * Bytes of a regular file; a backend may stop after `maxBytes + 1` bytes (the caller then refuses
   * the file), or not read it at all and answer with an error that carries its `size`.
   */
  read(segments: readonly string[], maxBytes?: number): Buffer | { error: string; size?: number };
  /**
   * Names in a directory; a backend may stop after `maxEntries + 1` names (the caller then reports a
   * finding). `size` is the directory's size from lstat, a hint of how many names it holds.
   */
  list(segments: readonly string[], maxEntries?: number, size?: number): string[] | { error: string };
  /**
   * Optional: the same names with their kinds (a directory on disk has them from readdir's d_type
   * for free). When a backend has it, the tree answers lookups in a directory it has listed from
   * the listing instead of one lstat per path, and reads each directory once. `size` may be
   * unknown (-1 or absent); the backend then finds out itself whether the directory is small.
   * An error means no answer the tree may look names up in (the tree then asks `list`).
   */
  listWithKinds?(segments: readonly string[], maxEntries?: number, size?: number): DirEntry[] | { error: string };
  /** Optional: the same methods taking keys (see KeyedBackend); the tree uses them when present. */
  readonly keyed?: KeyedBackend;
}

/**
 * Optional on a backend (`RawBackend.keyed`): lstat, readlink, read and listWithKinds with the path
 * given as a key, its segments joined by '/' ('' for the root), which spares splitting it and
 * joining it again on every call. Same answers as the backend's own methods.
 */
export interface KeyedBackend {
  lstat(key: string): RawStat | null | { error: string };
  readlink(key: string): string | null;
  read(key: string, maxBytes?: number): Buffer | { error: string; size?: number };
  listWithKinds(key: string, maxEntries?: number, size?: number): DirEntry[] | { error: string };
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
  /** Longest node path or symlink target accepted, in characters (PATH_MAX is 4096 on Linux). */
  maxPathLength: number;
  /** Path components looked at while resolving one path, links included. */
  maxResolveSteps: number;
  /** Path components looked at over the tree's whole life: a hostile tree costs bounded time. */
  maxTreeSteps: number;
  /** Names read from one directory. */
  maxDirEntries: number;
  /** Longest line in a text file, in bytes. */
  maxLineBytes: number;
  /** Findings the tree keeps; past this, one `too-many-findings` finding stands for the rest. */
  maxFindings: number;
}

export const DEFAULT_LIMITS: TreeLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxLinkHops: 40,
  maxWalkEntries: 20000,
  maxWalkDepth: 12,
  maxPathLength: 4096,
  maxResolveSteps: 4096,
  maxTreeSteps: 2_000_000,
  maxDirEntries: 50000,
  maxLineBytes: 1024 * 1024,
  maxFindings: 5000,
};

interface Resolved {
  /** The real path's segments joined by '/', '' for the root. */
  key: string;
  stat: RawStat;
}

/** The root, or a directory reached by `..`: its size is not known. */
const DIR: RawStat = { kind: 'dir', size: -1 };
// What a listing says of an entry: its kind, not its size.
const FILE_UNSIZED: RawStat = { kind: 'file', size: -1 };
const DIR_UNSIZED: RawStat = { kind: 'dir', size: -1 };
const LINK_UNSIZED: RawStat = { kind: 'symlink', size: -1 };
const OTHER_UNSIZED: RawStat = { kind: 'other', size: -1 };

/** A NUL or U+FFFD: a name the tree does not look up in a listing (see lookup). */
const NOT_LISTED = /[\0\ufffd]/;

/** Directories up to this lstat size (a few hundred names at most) are worth listing to answer lookups in them. */
const LIST_FOR_LOOKUPS_BYTES = 8192;

/** True when the real directory `a` is `b` or one of its ancestors (keys as in Resolved: '' is the root). */
function isAncestorKey(a: string, b: string): boolean {
  return a === '' || a === b || (b.length > a.length && b.charCodeAt(a.length) === 47 && b.startsWith(a));
}

function keySegments(key: string): string[] {
  return key === '' ? [] : key.split('/');
}

/**
 * What the tree knows of one real directory. `names` is the listing as the backend gave it (or
 * its error), `kinds` the same as a lookup table when the listing is usable for lookups, and
 * `complete` whether every name is in it (a name absent from a complete listing is absent).
 */
interface DirState {
  lookups: number;
  /** Its depth when it was reached from the root without following a link (resolution can start there); -1 otherwise. */
  plain: number;
  /** What lstat said of names in it, cached by name (the tree is one snapshot). */
  stats?: Map<string, RawStat | null | { error: string }>;
  names?: string[] | { error: string };
  kinds?: Map<string, EntryKind | null>;
  complete?: boolean;
}

/**
 * A directory is listed (one readdir, the kinds for free) once a second name is looked up in it:
 * a single probe costs less as one lstat than as a listing, and a directory scanners list anyway
 * costs nothing more.
 */
const LIST_AFTER_LOOKUPS = 2;

/**
 * With hints from earlier trees: a directory no earlier tree had to list is listed at the fourth
 * name looked up in it. A listing costs an lstat (its size) and a readdir, about three lstats:
 * `/usr` (two names asked) or `/var/lib` (three) are cheaper probed name by name.
 */
const LIST_AFTER_LOOKUPS_HINTED = 4;

/**
 * What trees read one after another (a fleet's nodes) learned of their common layout: the
 * directories that were listed, by scanners or because enough names were looked up in them. A
 * later tree lists such a directory at the first name looked up in it, and probes the others name
 * by name. Only what reading costs depends on the hints, never an answer or a finding (lookups from
 * a listing answer as lstat does). Bounded: past `max` directories, nothing more is learned.
 */
export class ListingHints {
  private readonly listed = new Set<string>();

  constructor(readonly max = 1024) {}

  /** Whether earlier trees listed the directory (its real key: segments joined by '/'). */
  has(key: string): boolean {
    return this.listed.has(key);
  }

  learn(key: string): void {
    if (this.listed.size < this.max) this.listed.add(key);
  }

  get size(): number {
    return this.listed.size;
  }
}

/** Normalizes a node path to segments; `..` never climbs above the root (as at `/` on the node). */
export function nodeSegments(nodePath: string): string[] {
  const out: string[] = [];
  const parts = nodePath.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

export function joinNodePath(...parts: string[]): string {
  // Joined with one slash at each seam (`joinNodePath('/', p)` is common): the segments are those
  // of parts.join('/'), and a path that comes out normal needs no more work.
  let joined = parts.length > 0 ? parts[0] : '';
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    const slashBefore = joined.endsWith('/');
    if (slashBefore && p.startsWith('/')) joined += p.slice(1);
    else if (slashBefore || p.startsWith('/')) joined += p;
    else joined += '/' + p;
  }
  return normalNodePath(joined);
}

// An empty, `.` or `..` segment, or a trailing slash: what a normalized node path never holds.
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)|[^]\/$/;

/** `nodePath` normalized as nodeSegments does; a path that already is (nearly every one asked for) is returned as it is. */
function normalNodePath(nodePath: string): string {
  // A kept parse is of a normal path: one map lookup (the string's hash is already known from the
  // tree's own caches) costs a fifth of the regex test.
  if (parsedPaths.has(nodePath)) return nodePath;
  if (nodePath.charCodeAt(0) === 47 && !NOT_NORMAL.test(nodePath)) {
    parsePath(nodePath);
    return nodePath;
  }
  return '/' + nodeSegments(nodePath).join('/');
}

/**
 * A normal node path (as display() makes it) cut into its segments, for resolveNormal and
 * resolveSegments: each segment's name, and the real key each prefix names when no link is on
 * the way (the keys the walk would build one `${current}/${name}` at a time).
 */
interface ParsedPath {
  /** The path without its leading '/' (the key it names when no link is on the way). */
  whole: string;
  /** Its segments: `/etc/kubernetes/pki` has 'etc', 'kubernetes', 'pki'. None for the root. */
  segs: string[];
  /** `prefixes[i]`: its first i + 1 segments joined by '/' ('etc', 'etc/kubernetes', 'etc/kubernetes/pki'). */
  prefixes: string[];
  /** The key of its directory ('' for the root's entries and the root itself) and its last segment ('' for the root). */
  parent: string;
  name: string;
  /** True when every segment may be looked up in a listing (see NOT_LISTED); undefined when one may not (lookup then tests each). */
  listed: true | undefined;
}

/**
 * Parsed paths, shared by the trees of a fleet (they ask for the same few hundred paths). Keeping
 * the pieces spares slicing and joining them again for every tree, and V8 keeps the hash of a kept
 * string, so each Map lookup with one does not hash it again. Only normal paths are kept (a kept
 * path needs no normalizing). Keyed by the whole path, immutable, bounded: past `PARSED_PATHS_MAX`
 * paths or `PARSED_CHARS_MAX` characters of pieces, a path is cut afresh each time.
 */
const parsedPaths = new Map<string, ParsedPath>();
const PARSED_PATHS_MAX = 4096;
const PARSED_CHARS_MAX = 1 << 20;
let parsedChars = 0;
/** The same parses by the key each path names when no link is on the way (`whole`; not the root's). */
const parsedKeys = new Map<string, ParsedPath>();

/** The parse of a real key other than the root's (segments joined by '/'), kept as parsePath keeps it. */
function parseKey(key: string): ParsedPath {
  return parsedKeys.get(key) ?? parsePath('/' + key);
}

/** The parse of a normal node path (kept, see parsedPaths). */
function parsePath(path: string): ParsedPath {
  let parsed = parsedPaths.get(path);
  if (parsed !== undefined) return parsed;
  const whole = path.slice(1);
  const segs = whole === '' ? [] : whole.split('/');
  const prefixes: string[] = new Array(segs.length);
  let chars = path.length * 2;
  let end = -1;
  for (let i = 0; i < segs.length; i++) {
    end += segs[i].length + 1;
    prefixes[i] = i === segs.length - 1 ? whole : whole.slice(0, end);
    chars += end;
  }
  const n = segs.length;
  parsed = { whole, segs, prefixes, parent: n > 1 ? prefixes[n - 2] : '', name: n > 0 ? segs[n - 1] : '', listed: NOT_LISTED.test(whole) ? undefined : true };
  if (parsedPaths.size < PARSED_PATHS_MAX && parsedChars + chars <= PARSED_CHARS_MAX) {
    parsedPaths.set(path, parsed);
    if (segs.length > 0) parsedKeys.set(whole, parsed);
    parsedChars += chars;
  }
  return parsed;
}

// C0 controls, DEL, C1 controls, bidi overrides, and U+FFFD (a name that was not valid UTF-8):
// such a name could rewrite a terminal or hide what it is, so it never reaches the model.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/;

/** True when a file name holds characters that must not reach any output (see UNSAFE_NAME). */
export function isUnsafeName(name: string): boolean {
  return UNSAFE_NAME.test(name);
}

/** A name for messages: JSON-quoted, so control characters show as escapes, and shortened. */
export function quoteName(name: string, max = 200): string {
  return quoteText(name.length > max ? name.slice(0, max) + '…' : name);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class FileTree {
  readonly label: string;
  readonly limits: TreeLimits;
  private readonly backend: RawBackend;
  private readonly problems = new Map<string, Finding>();
  private readonly textCache = new Map<string, string | null>();
  /** lstat of the root (it is in no directory's `stats`). */
  private rootStat: RawStat | null | { error: string } | undefined;
  private readonly linkCache = new Map<string, string | null>();
  private readonly listCache = new Map<string, string[]>();
  private readonly dirs = new Map<string, DirState>();
  private readonly resolveCache = new Map<string, Resolved | null>();
  private readonly hints: ListingHints | undefined;
  // The limits resolution checks at every step, and whether the backend lists kinds, as fields of
  // their own: one property load each where the hot paths ask.
  private readonly maxResolveSteps: number;
  private readonly maxTreeSteps: number;
  private readonly maxPathLength: number;
  private readonly listsKinds: boolean;
  private steps = 0;
  private exhausted = false;

  /** `hints`, shared by the trees of one fleet, make reading cheaper (see ListingHints), never different. */
  constructor(label: string, backend: RawBackend, limits: Partial<TreeLimits> = {}, hints?: ListingHints) {
    this.label = label;
    this.backend = backend;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.hints = hints;
    this.maxResolveSteps = this.limits.maxResolveSteps;
    this.maxTreeSteps = this.limits.maxTreeSteps;
    this.maxPathLength = this.limits.maxPathLength;
    this.listsKinds = backend.listWithKinds !== undefined;
  }

  /** Problems met while reading (refused links, unreadable or oversized files), sorted, one per path and code. */
  findings(): Finding[] {
    return [...this.problems.values()].sort((a, b) => {
      const ka = `${a.path ?? ''}\u0000${a.code}`;
      const kb = `${b.path ?? ''}\u0000${b.code}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /** Records a problem against this tree (used by the tree's own sources, e.g. a tar reader). */
  addFinding(f: Finding): void {
    const key = `${f.code}\u0000${f.path ?? ''}`;
    if (this.problems.has(key)) return;
    if (this.problems.size >= this.limits.maxFindings) {
      const k = 'too-many-findings\u0000';
      if (!this.problems.has(k)) {
        this.problems.set(k, {
          severity: 'warning',
          code: 'too-many-findings',
          path: null,
          message: `More than ${this.limits.maxFindings} problems were found while reading this tree: the rest are not listed.`,
        });
      }
      return;
    }
    this.problems.set(key, f);
  }

  /** The entry kind at a node path after following links, or null when absent or refused. */
  kind(nodePath: string): 'file' | 'dir' | null {
    const r = this.resolve(nodePath);
    if (!r) return null;
    const kind = r.stat.kind;
    return kind === 'file' ? 'file' : kind === 'dir' ? 'dir' : null;
  }

  exists(nodePath: string): boolean {
    return this.kind(nodePath) !== null;
  }

  isFile(nodePath: string): boolean {
    const r = this.resolve(nodePath);
    return r !== null && r.stat.kind === 'file';
  }

  isDir(nodePath: string): boolean {
    const r = this.resolve(nodePath);
    return r !== null && r.stat.kind === 'dir';
  }

  /** Size in bytes of the regular file a path names (links followed), or null. Never reads it. */
  size(nodePath: string): number | null {
    const r = this.resolve(nodePath);
    if (!r || r.stat.kind !== 'file') return null;
    if (r.stat.size >= 0) return r.stat.size;
    // Known from a listing, which says what an entry is but not how big: ask once.
    const st = this.lstatKey(r.key);
    return st && !('error' in st) && st.kind === 'file' && st.size >= 0 ? st.size : null;
  }

  /** The raw target of a symlink at a node path (its last segment is not followed), or null. */
  readLink(nodePath: string): string | null {
    const display = this.display(nodePath);
    if (display === null || display.length <= 1) return null;
    const slash = display.lastIndexOf('/');
    // The parent resolves as any path does (from a directory reached earlier), its findings naming the whole path.
    const parent = this.resolveNormal(slash === 0 ? '/' : display.slice(0, slash), display);
    if (!parent || parent.stat.kind !== 'dir') return null;
    const name = display.slice(slash + 1);
    const here = parent.key === '' ? name : `${parent.key}/${name}`;
    const st = this.lookup(parent.key, name, here);
    if (!st || 'error' in st || st.kind !== 'symlink') return null;
    const target = this.readlink(here);
    if (target === null || target.length > this.limits.maxPathLength) return null;
    return target;
  }

  /** The node path a path really names once links are followed (confined), or null. */
  realPath(nodePath: string): string | null {
    const r = this.resolve(nodePath);
    return r ? '/' + r.key : null;
  }

  /** Sorted names in a directory (links not followed); [] when it is not a directory. Unsafe names are left out, with a finding. */
  list(nodePath: string): string[] {
    // Scanners list the same unit and PKI directories several times; the tree is one snapshot.
    // Kept by the path as asked for, as resolve() keeps what it resolved.
    const cached = this.exhausted ? undefined : this.listCache.get(nodePath);
    if (cached) return [...cached];
    const r = this.resolve(nodePath);
    if (!r || r.stat.kind !== 'dir') return [];
    const out = this.listUncached(r, normalNodePath(nodePath));
    if (!this.exhausted) this.listCache.set(nodePath, out);
    return [...out];
  }

  private listUncached(r: Resolved, path: string): string[] {
    const names = this.dirNames(r.key, r.stat.size >= 0 ? r.stat.size : this.knownSize(r.key));
    if (!Array.isArray(names)) {
      this.addFinding({
        severity: 'warning',
        code: 'unreadable',
        path,
        message: `Could not list ${path}: ${names.error}.`,
      });
      return [];
    }
    let kept = names;
    if (names.length > this.limits.maxDirEntries) {
      kept = [...names].sort().slice(0, this.limits.maxDirEntries);
      this.addFinding({
        severity: 'warning',
        code: 'dir-too-large',
        path,
        message: `${path} holds more than ${this.limits.maxDirEntries} entries: only the first ${this.limits.maxDirEntries} were read.`,
      });
    }
    const out: string[] = [];
    for (let i = 0; i < kept.length; i++) {
      const name = kept[i];
      if (name === '' || name === '.' || name === '..' || name.includes('/')) continue;
      if (isUnsafeName(name)) {
        this.addFinding({
          severity: 'warning',
          code: 'unsafe-file-name',
          path,
          message: `${path} holds an entry named ${quoteName(name)} (control, bidi or non-UTF-8 characters): not read.`,
        });
        continue;
      }
      out.push(name);
    }
    return out.sort();
  }

  /** Bytes of a regular file; null when absent, refused, unreadable or over the size limit (with a finding for all but absent). */
  readBytes(nodePath: string, options?: { maxBytes?: number }): Buffer | null {
    const path = this.display(nodePath);
    if (path === null) return null;
    return this.readNormal(path, options?.maxBytes ?? this.limits.maxFileBytes);
  }

  /** readBytes of a normal path (as display() makes it). */
  private readNormal(path: string, limit: number): Buffer | null {
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
    const keyed = this.backend.keyed;
    const data = keyed !== undefined ? keyed.read(r.key, limit) : this.backend.read(keySegments(r.key), limit);
    if (!Buffer.isBuffer(data)) {
      if (data.size !== undefined && data.size > limit) {
        // Not read at all: the backend saw the size first (the tree knew only that it is a file).
        this.addFinding({
          severity: 'warning',
          code: 'file-too-large',
          path,
          message: `${path} is ${data.size} bytes, over the ${limit}-byte limit for a config file: not read.`,
        });
        return null;
      }
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

  /**
   * UTF-8 text of a regular file (a leading BOM removed); null as for readBytes, and null with a
   * finding for binary content (NUL bytes) or a line over the line limit. Invalid UTF-8 is decoded
   * with U+FFFD in place of the bad bytes, with a finding. Cached per path.
   */
  readText(nodePath: string): string | null {
    const path = this.display(nodePath);
    if (path === null) return null;
    if (this.textCache.has(path)) return this.textCache.get(path) ?? null;
    const data = this.readNormal(path, this.limits.maxFileBytes);
    const text = data ? this.decode(path, data) : null;
    this.textCache.set(path, text);
    return text;
  }

  /**
   * Regular files below a directory (links followed, confined), as sorted node paths.
   * Bounded by depth and entry count; hitting a bound is a finding.
   */
  walkFiles(nodePath: string, filter?: (path: string) => boolean): string[] {
    const start = this.display(nodePath);
    if (start === null) return [];
    const out: string[] = [];
    let visited = 0;
    let stopped = false;
    const seen = new Set<string>();
    const root = this.resolve(start);
    if (!root || root.stat.kind !== 'dir') return [];
    // `real` is the directory's real key ('' for the root). A directory reached again (two links
    // to it) is read once; a link to an ancestor of the directory it sits in, or of the start
    // (`pki/up -> ..`, Debian's `/usr/bin/X11 -> .`), is not read at all: it would only show the
    // same files again under a longer name. Both are skipped silently, as `find -L` users expect
    // of the second and a real system carries the first.
    const visit = (dir: string, real: string, depth: number): void => {
      if (seen.has(real)) return;
      seen.add(real);
      const names = this.list(dir);
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (stopped) return;
        if (++visited > this.limits.maxWalkEntries) {
          stopped = true;
          this.addFinding({
            severity: 'warning',
            code: 'walk-limit',
            path: start,
            message: `More than ${this.limits.maxWalkEntries} entries below ${start}: the rest was not read.`,
          });
          return;
        }
        const child = dir === '/' ? `/${name}` : `${dir}/${name}`;
        const r = this.resolve(child);
        const k = r ? r.stat.kind : null;
        if (k === 'other' && (!filter || filter(child))) {
          this.addFinding({
            severity: 'warning',
            code: 'special-file',
            path: child,
            message: `${child} is not a regular file (FIFO, socket or device): not opened.`,
          });
        } else if (k === 'dir') {
          if (isAncestorKey(r!.key, real) || isAncestorKey(r!.key, root.key)) continue;
          if (depth + 1 > this.limits.maxWalkDepth) {
            this.addFinding({
              severity: 'warning',
              code: 'depth-limit',
              path: child,
              message: `${child} is more than ${this.limits.maxWalkDepth} levels below ${start}: not read.`,
            });
            continue;
          }
          visit(child, r!.key, depth + 1);
        } else if (k === 'file' && (!filter || filter(child))) {
          out.push(child);
        }
      }
    };
    visit(start, root.key, 0);
    return out.sort();
  }

  /** The normalized node path, or null (with a finding) when the path is too long to be a real one. */
  private display(nodePath: string): string | null {
    if (nodePath.length > this.maxPathLength) {
      this.addFinding({
        severity: 'warning',
        code: 'path-too-long',
        path: null,
        message: `A path of ${nodePath.length} characters (over ${this.limits.maxPathLength}) was asked for: not read.`,
      });
      return null;
    }
    return normalNodePath(nodePath);
  }

  private decode(path: string, data: Buffer): string | null {
    if (data.includes(0)) {
      this.addFinding({
        severity: 'warning',
        code: 'binary-file',
        path,
        message:
          (data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)
            ? `${path} is UTF-16 text; config files are read as UTF-8: not read (convert it to UTF-8).`
            : `${path} holds binary data (NUL bytes), not text: not read as a config file.`,
      });
      return null;
    }
    let text: string;
    try {
      text = utf8.decode(data);
    } catch {
      text = data.toString('utf8');
      const line = text.slice(0, text.indexOf('\ufffd')).split('\n').length;
      this.addFinding({
        severity: 'warning',
        code: 'invalid-utf8',
        path,
        line,
        message: `${path} is not valid UTF-8 (first bad byte on line ${line}): read with the bad bytes replaced.`,
      });
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (data.length > this.limits.maxLineBytes) {
      let lineNo = 1;
      let startAt = 0;
      for (;;) {
        const nl = text.indexOf('\n', startAt);
        const end = nl === -1 ? text.length : nl;
        if (end - startAt > this.limits.maxLineBytes) {
          this.addFinding({
            severity: 'warning',
            code: 'line-too-long',
            path,
            line: lineNo,
            message: `${path} has a line over ${this.limits.maxLineBytes} characters (line ${lineNo}): not read as a config file.`,
          });
          return null;
        }
        if (nl === -1) break;
        startAt = nl + 1;
        lineNo++;
      }
    }
    return text;
  }

  private resolve(nodePath: string): Resolved | null {
    // Scanners ask about the same paths many times (kind, then realPath, then read); the tree is one snapshot.
    const hit = this.exhausted ? undefined : this.resolveCache.get(nodePath);
    if (hit !== undefined) return hit;
    let r: Resolved | null;
    // A path with a kept parse is normal: display() would return it as it is.
    const parsed = parsedPaths.get(nodePath);
    if (parsed !== undefined && nodePath.length <= this.maxPathLength) r = this.resolveNormal(nodePath, nodePath, parsed);
    else {
      const display = this.display(nodePath);
      if (display === null) return null;
      r = this.resolveNormal(display);
    }
    if (!this.exhausted) this.resolveCache.set(nodePath, r);
    return r;
  }

  /**
   * Resolves a normal node path (as display() makes it), starting below the deepest of its
   * directories that an earlier resolution reached without a link. Walking that prefix again would
   * answer every step from the tree's caches with the same result and no side effect, so only its
   * steps are counted, exactly as the walk would count them (limits hit at the same point).
   * `display` is the path findings name (readLink resolves a link's parent for the link's path);
   * `known`, the path's parse when the caller has it.
   */
  private resolveNormal(path: string, display = path, known?: ParsedPath): Resolved | null {
    const parsed = known ?? parsePath(path);
    const { segs, prefixes } = parsed;
    const dirs = this.dirs;
    const last = segs.length - 1;
    for (let i = last - 1; i >= 0; i--) {
      const key = prefixes[i];
      const d = dirs.get(key);
      if (d === undefined || d.plain < 0) continue;
      const depth = d.plain;
      const maxSteps = this.maxResolveSteps;
      const treeSteps = this.steps + depth;
      const maxTree = this.maxTreeSteps;
      if (this.exhausted || depth > maxSteps || treeSteps > maxTree) break;
      if (i === last - 1 && depth < maxSteps && treeSteps < maxTree) {
        // One name left (nearly every path asked for), within both bounds: the walk's last step,
        // done here unless the name is a link (the walk then follows it, as it would have).
        const whole = parsed.whole;
        const st = this.lookup(key, parsed.name, whole, d, parsed.listed);
        if (st === null || 'error' in st || st.kind !== 'symlink') {
          this.steps = treeSteps + 1;
          if (st === null) return null;
          if ('error' in st) return this.refuse('unreadable', display, `Could not read ${display}: ${st.error}.`);
          if (st.kind === 'dir') this.dirState(whole).plain = depth + 1;
          return { key: whole, stat: st };
        }
      }
      this.steps += depth;
      return this.resolveSegments(parsed, i + 1, display, key, depth, d);
    }
    return this.resolveSegments(parsed, 0, display, '', 0);
  }

  private refuse(code: string, path: string, message: string): null {
    this.addFinding({ severity: 'warning', code, path, message });
    return null;
  }

  /** A directory's state, made on first use. */
  private dirState(key: string): DirState {
    let d = this.dirs.get(key);
    if (d === undefined) {
      // Every field from the start: all DirStates then share one shape, and each property load of one is monomorphic.
      d = { lookups: 0, plain: -1, stats: undefined, names: undefined, kinds: undefined, complete: false };
      this.dirs.set(key, d);
    }
    return d;
  }

  /** The names of a real directory as the backend gives them (or its error), read once. `size` is its lstat size, -1 when unknown. */
  private dirNames(key: string, size: number): string[] | { error: string } {
    const d = this.dirState(key);
    if (d.names === undefined) this.readDir(key, d, size);
    return d.names!;
  }

  private readDir(key: string, d: DirState, size: number): void {
    const max = this.limits.maxDirEntries;
    if (!this.listsKinds) {
      d.names = this.backend.list(keySegments(key), max, size);
      return;
    }
    const keyed = this.backend.keyed;
    const entries = keyed !== undefined ? keyed.listWithKinds(key, max, size) : this.backend.listWithKinds!(keySegments(key), max, size);
    if (!Array.isArray(entries)) {
      // No kinds to rely on: names only, if the backend can give those.
      d.names = this.backend.list(keySegments(key), max, size);
      return;
    }
    this.hints?.learn(key);
    const names: string[] = new Array(entries.length);
    const kinds = new Map<string, EntryKind | null>();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      names[i] = e.name;
      kinds.set(e.name, e.kind);
    }
    d.names = names;
    d.kinds = kinds;
    // A backend stops after max + 1 names: then a name missing from the listing may still exist.
    d.complete = entries.length <= max;
  }

  /**
   * What the entry `name` in the real directory `parent` is (links not followed): from the
   * directory's listing when the tree has one, else one lstat. Cached: the tree is read as one
   * snapshot, and a hostile tree cannot make us repeat work.
   */
  private lookup(parent: string, name: string, key: string, dir?: DirState, listed?: boolean): RawStat | null | { error: string } {
    const d = dir ?? this.dirState(parent);
    const cached = d.stats?.get(name);
    if (cached !== undefined) return cached;
    // A NUL cannot be in a listed name; the backend refuses such a path itself, as it always did.
    // A listed U+FFFD may stand for bytes that are not UTF-8 (readdir decodes `x\xff` as `x\ufffd`):
    // two entries then share one name in the listing, and only lstat says what this name is.
    // `listed`: the caller's answer to that test, when it has one.
    if (this.listsKinds && (listed ?? !NOT_LISTED.test(name))) {
      // The root is listed at once: nearly every path starts there, and an opener may already hold its listing.
      if (d.names === undefined && (parent === '' || this.worthListing(parent, ++d.lookups))) {
        const size = this.dirSize(parent);
        if (size >= 0 && size <= LIST_FOR_LOOKUPS_BYTES) this.readDir(parent, d, size);
      }
      const kinds = d.kinds;
      if (kinds !== undefined) {
        const kind = kinds.get(name);
        if (kind === undefined) {
          if (d.complete) return null;
        } else if (kind !== null) {
          return kind === 'file' ? FILE_UNSIZED : kind === 'dir' ? DIR_UNSIZED : kind === 'symlink' ? LINK_UNSIZED : OTHER_UNSIZED;
        }
      }
    }
    const st = this.lstatKey(key);
    (d.stats ??= new Map()).set(name, st);
    return st;
  }

  /** Whether to list a directory at the `lookups`-th name looked up in it, rather than lstat the name. */
  private worthListing(key: string, lookups: number): boolean {
    const hints = this.hints;
    if (hints === undefined) return lookups >= LIST_AFTER_LOOKUPS;
    return lookups >= LIST_AFTER_LOOKUPS_HINTED || hints.has(key);
  }

  /** A size the tree already has from lstat, without asking; -1 when unknown. */
  private knownSize(key: string): number {
    const st = this.cachedStat(key);
    return st && !('error' in st) ? st.size : -1;
  }

  /** A directory's size from lstat (looked up once if the tree knew it only from a listing), -1 when unknown. */
  private dirSize(key: string): number {
    let st = this.cachedStat(key);
    if (st === undefined) {
      st = this.lstatKey(key);
      if (key === '') this.rootStat = st;
      else {
        const p = parseKey(key);
        const d = this.dirState(p.parent);
        (d.stats ??= new Map()).set(p.name, st);
      }
    }
    return st && !('error' in st) && st.kind === 'dir' ? st.size : -1;
  }

  /** What lstat said of a real key, if the tree asked. */
  private cachedStat(key: string): RawStat | null | { error: string } | undefined {
    if (key === '') return this.rootStat;
    // The parent and name from the key's kept parse: no slicing, and their hashes already known.
    const p = parseKey(key);
    return this.dirs.get(p.parent)?.stats?.get(p.name);
  }

  /** The backend's lstat of a real key. */
  private lstatKey(key: string): RawStat | null | { error: string } {
    const keyed = this.backend.keyed;
    return keyed !== undefined ? keyed.lstat(key) : this.backend.lstat(keySegments(key));
  }

  private readlink(key: string): string | null {
    let target = this.linkCache.get(key);
    if (target === undefined) {
      const keyed = this.backend.keyed;
      target = keyed !== undefined ? keyed.readlink(key) : this.backend.readlink(keySegments(key));
      this.linkCache.set(key, target);
    }
    return target;
  }

  /**
   * Walks the segments of `path` from its `from`-th one on, starting at `start` (the key of its
   * first `from` segments, or '' for the root), following links inside the tree.
   * `startDir`: the start's DirState when the caller has it.
   */
  private resolveSegments(path: ParsedPath, from: number, display: string, start: string, startDepth: number, startDir?: DirState): Resolved | null {
    // Segments are read from `path` at `at` until a link is followed (most paths have none, and
    // need no array); from then on `pending` is a stack: its last element is the next segment.
    const segs = path.segs;
    let pending: string[] | null = null;
    let at = from;
    // `current` is the real directory reached so far, as its segments joined by '/', `depth` its
    // segment count. A start below the root is a directory reached without links (see resolveNormal),
    // its `startDepth` steps already counted against the tree.
    let current = start;
    // The DirState of `current` when at hand (the next lookup then needs no map lookup), else undefined.
    let dir = startDir;
    let depth = startDepth;
    let hops = 0;
    let steps = startDepth;
    let stat: RawStat = DIR;
    for (;;) {
      let name: string;
      if (pending === null) {
        // A segment of a normal path: never empty, `.` or `..`.
        if (at >= segs.length) break;
        name = segs[at++];
      } else if (pending.length > 0) {
        name = pending.pop()!;
        if (name === '.' || name === '') continue;
      } else break;
      if (name === '..') {
        if (depth > 0) {
          depth--;
          current = depth === 0 ? '' : current.slice(0, current.lastIndexOf('/'));
          dir = undefined;
        }
        stat = DIR;
        continue;
      }
      if (++steps > this.maxResolveSteps) {
        return this.refuse('path-too-complex', display, `${display} takes more than ${this.maxResolveSteps} steps to resolve (links included): not followed.`);
      }
      if (this.exhausted || ++this.steps > this.maxTreeSteps) {
        if (!this.exhausted) {
          this.exhausted = true;
          this.addFinding({
            severity: 'error',
            code: 'tree-too-complex',
            path: null,
            message: `Resolving paths in this tree took more than ${this.limits.maxTreeSteps} steps (links included): reading stopped, the scan is incomplete.`,
          });
        }
        return null;
      }
      // Until a link is followed, `current` is the key of the segments walked so far: the kept prefix is the key joined.
      const next = pending === null ? path.prefixes[at - 1] : depth === 0 ? name : `${current}/${name}`;
      const st = pending === null ? this.lookup(current, name, next, dir, path.listed) : this.lookup(current, name, next, dir);
      if (st === null) return null;
      if ('error' in st) {
        return this.refuse('unreadable', display, `Could not read ${display}: ${st.error}.`);
      }
      if (st.kind === 'symlink') {
        if (++hops > this.limits.maxLinkHops) {
          return this.refuse('symlink-loop', display, `${display} is a symlink loop (more than ${this.limits.maxLinkHops} links): not followed.`);
        }
        const target = this.readlink(next);
        if (target === null || target === '') return null;
        if (target.length > this.limits.maxPathLength) {
          return this.refuse('symlink-target-too-long', display, `${display} is a symlink whose target is over ${this.limits.maxPathLength} characters: not followed.`);
        }
        const parts = target.split('/');
        if (target.startsWith('/')) {
          current = '';
          dir = undefined;
          depth = 0;
        } else {
          // A relative target must stay inside the tree; climbing out is refused, not clamped.
          let d = depth;
          for (const part of parts) {
            if (part === '..') {
              if (--d < 0) {
                return this.refuse(
                  'symlink-escapes-root',
                  display,
                  `${display} is a symlink to ${quoteName(target)}, which leads outside the node's tree: not followed.`,
                );
              }
            } else if (part !== '' && part !== '.') d++;
          }
        }
        pending ??= segs.slice(at).reverse();
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]);
        continue;
      }
      if (st.kind !== 'dir' && (pending === null ? at < segs.length : pending.some((p) => p !== '' && p !== '.'))) {
        // A file (or special file) used as a directory: ENOTDIR on a real system.
        return null;
      }
      current = next;
      depth++;
      stat = st;
      if (hops === 0 && st.kind === 'dir' && !this.exhausted) {
        dir = this.dirState(next);
        dir.plain = depth;
      } else dir = undefined;
    }
    return { key: current, stat };
  }
}
