/**
 * A node tree held in memory: what a tar archive unpacks to (nothing is ever written to disk),
 * and what tests build hostile trees with.
 */
import type { RawBackend, RawStat } from './file-tree.js';
import { nodeSegments } from './file-tree.js';

export type MemoryEntry =
  /** `size` stands for the real size when `data` was not kept (a file over the reader's size limit). */
  | { kind: 'file'; data: Buffer; size?: number }
  | { kind: 'dir' }
  | { kind: 'symlink'; target: string }
  | { kind: 'other' };

export class MemoryBackend implements RawBackend {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly children = new Map<string, Set<string>>();

  constructor() {
    this.entries.set('', { kind: 'dir' });
    this.children.set('', new Set());
  }

  /** The entry at a node path, without following links (used to resolve tar hard links). */
  get(nodePath: string): MemoryEntry | undefined {
    return this.entries.get(nodeSegments(nodePath).join('/'));
  }

  /** Adds an entry at a node path, creating parent directories. A later entry replaces an earlier one. */
  add(nodePath: string, entry: MemoryEntry): void {
    const segs = nodeSegments(nodePath);
    if (segs.length === 0) return;
    for (let i = 1; i < segs.length; i++) {
      const key = segs.slice(0, i).join('/');
      const existing = this.entries.get(key);
      if (!existing || existing.kind !== 'dir') {
        this.entries.set(key, { kind: 'dir' });
        this.children.set(key, this.children.get(key) ?? new Set());
      }
      this.children.get(segs.slice(0, i - 1).join('/'))!.add(segs[i - 1]);
    }
    const key = segs.join('/');
    const parent = segs.slice(0, -1).join('/');
    this.children.get(parent)!.add(segs[segs.length - 1]);
    if (entry.kind === 'dir') {
      if (this.entries.get(key)?.kind !== 'dir') this.entries.set(key, entry);
      this.children.set(key, this.children.get(key) ?? new Set());
    } else {
      this.entries.set(key, entry);
    }
  }

  lstat(segments: readonly string[]): RawStat | null {
    const e = this.entries.get(segments.join('/'));
    if (!e) return null;
    return { kind: e.kind, size: e.kind === 'file' ? Math.max(e.size ?? 0, e.data.length) : 0 };
  }

  readlink(segments: readonly string[]): string | null {
    const e = this.entries.get(segments.join('/'));
    return e && e.kind === 'symlink' ? e.target : null;
  }

  read(segments: readonly string[]): Buffer | { error: string } {
    const e = this.entries.get(segments.join('/'));
    return e && e.kind === 'file' ? e.data : { error: 'not a regular file' };
  }

  list(segments: readonly string[]): string[] | { error: string } {
    const key = segments.join('/');
    const e = this.entries.get(key);
    if (!e || e.kind !== 'dir') return { error: 'not a directory' };
    return [...(this.children.get(key) ?? [])];
  }
}
