/** A memory tree that lists with entry kinds, as a directory on disk does, and records what it is asked. */
import type { DirEntry, FileTree, RawBackend } from '../../src/source/file-tree.js';
import type { MemoryBackend } from '../../src/source/memory.js';

/** Everything a tree answers for these paths, and its findings: two trees answer alike or not. */
export function observe(tree: FileTree, probes: string[]): unknown[] {
  return probes
    .map((p): unknown => [tree.kind(p), tree.realPath(p), tree.readText(p), tree.list(p), tree.readLink(p), tree.size(p)])
    .concat([tree.walkFiles('/'), tree.findings()]);
}

export interface ListingMemoryOptions {
  /** Names listed with a null kind (a filesystem without d_type): the tree must lstat them. */
  unknown?: (name: string) => boolean;
  /** Stop after maxEntries + 1 names, as a directory on disk too large to read at once does. */
  cut?: boolean;
}

export class ListingMemory implements RawBackend {
  /** `lstat /path` and `listWithKinds /path`, in the order asked. */
  calls: string[] = [];
  constructor(
    private readonly inner: MemoryBackend,
    private readonly options: ListingMemoryOptions = {},
  ) {}
  lstat(s: readonly string[]) {
    this.calls.push(`lstat /${s.join('/')}`);
    return this.inner.lstat(s);
  }
  readlink(s: readonly string[]) {
    return this.inner.readlink(s);
  }
  read(s: readonly string[]) {
    return this.inner.read(s);
  }
  list(s: readonly string[]) {
    return this.inner.list(s);
  }
  listWithKinds(s: readonly string[], maxEntries = Infinity): DirEntry[] | { error: string } {
    this.calls.push(`listWithKinds /${s.join('/')}`);
    const all = this.inner.list(s);
    if (!Array.isArray(all)) return all;
    const names = this.options.cut ? all.slice(0, maxEntries + 1) : all;
    const unknown = this.options.unknown ?? (() => false);
    return names.map((name) => ({ name, kind: unknown(name) ? null : (this.inner.lstat([...s, name])?.kind ?? null) }));
  }
}
