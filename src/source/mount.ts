/** Presents a backend at a node path prefix: an /etc/kubernetes copy appears at /etc/kubernetes. */
import type { RawBackend, RawStat } from './file-tree.js';

export class MountBackend implements RawBackend {
  constructor(
    private readonly inner: RawBackend,
    private readonly prefix: readonly string[],
  ) {}

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

  read(segments: readonly string[], maxBytes?: number): Buffer | { error: string } {
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
