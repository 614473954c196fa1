/** Presents a backend at a node path prefix: an /etc/kubernetes copy appears at /etc/kubernetes. */
import type { DirEntry, RawBackend, RawStat } from './file-tree.js';

export class MountBackend implements RawBackend {
  /** Present when the inner backend lists with kinds (FileTree then answers lookups from listings). */
  readonly listWithKinds?: (segments: readonly string[], maxEntries?: number, size?: number) => DirEntry[] | { error: string };

  constructor(
    private readonly inner: RawBackend,
    private readonly prefix: readonly string[],
  ) {
    const innerEntries = inner.listWithKinds;
    if (innerEntries !== undefined) {
      this.listWithKinds = (segments, maxEntries, size) => {
        const m = this.map(segments);
        if (m === null) return { error: 'not a directory' };
        if (m === 'parent') return [{ name: this.prefix[segments.length], kind: 'dir' }];
        return innerEntries.call(inner, m, maxEntries, size);
      };
    }
  }

  /** Maps node segments to inner segments; 'parent' when the path is above the mount point. */
  private map(segments: readonly string[]): readonly string[] | 'parent' | null {
    const n = Math.min(segments.length, this.prefix.length);
    for (let i = 0; i < n; i++) if (segments[i] !== this.prefix[i]) return null;
    if (segments.length < this.prefix.length) return 'parent';
    return segments.slice(this.prefix.length);
  }

  lstat(segments: readonly string[]): RawStat | null | { error: string } {
    const m = this.map(segments);
    if (m === null) return null;
    if (m === 'parent') return { kind: 'dir', size: 0 };
    return this.inner.lstat(m);
  }

  readlink(segments: readonly string[]): string | null {
    const m = this.map(segments);
    return m === null || m === 'parent' ? null : this.inner.readlink(m);
  }

  read(segments: readonly string[], maxBytes?: number): Buffer | { error: string; size?: number } {
    const m = this.map(segments);
    return m === null || m === 'parent' ? { error: 'not a file' } : this.inner.read(m, maxBytes);
  }

  list(segments: readonly string[], maxEntries?: number, size?: number): string[] | { error: string } {
    const m = this.map(segments);
    if (m === null) return { error: 'not a directory' };
    if (m === 'parent') return [this.prefix[segments.length]];
    return this.inner.list(m, maxEntries, size);
  }
}
