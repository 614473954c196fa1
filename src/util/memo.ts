/**
 * Process-wide memoization for what repeats across a fleet: the same CA certificate, the same
 * kubelet config.yaml, the same unit file on a thousand nodes. Bounded (entry count, and inputs
 * over a size limit are never cached), so memory stays flat however many nodes stream through.
 */
import { sha256 } from './digest.js';

interface LruEntry<K, V> {
  key: K;
  value: V;
  /** Toward the least recently used end; `newer` toward the most recent. */
  older: LruEntry<K, V> | undefined;
  newer: LruEntry<K, V> | undefined;
}

/**
 * A least-recently-used map with a fixed number of entries. A hit moves its entry to the front of
 * a linked list: one hash lookup, where deleting and re-inserting the key (to use the Map's own
 * order) costs three.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, LruEntry<K, V>>();
  private newest: LruEntry<K, V> | undefined;
  private oldest: LruEntry<K, V> | undefined;

  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.touch(e);
    return e.value;
  }

  set(key: K, value: V): void {
    const e = this.map.get(key);
    if (e !== undefined) {
      e.value = value;
      this.touch(e);
      return;
    }
    const added: LruEntry<K, V> = { key, value, older: this.newest, newer: undefined };
    if (this.newest) this.newest.newer = added;
    this.newest = added;
    this.oldest ??= added;
    this.map.set(key, added);
    if (this.map.size > this.max) {
      const gone = this.oldest as LruEntry<K, V>;
      this.unlink(gone);
      this.map.delete(gone.key);
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.newest = this.oldest = undefined;
  }

  private touch(e: LruEntry<K, V>): void {
    if (e === this.newest) return;
    this.unlink(e);
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest) this.newest.newer = e;
    this.newest = e;
    this.oldest ??= e;
  }

  private unlink(e: LruEntry<K, V>): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = undefined;
  }
}

/**
 * An LRU that admits a value only once its key has been seen before: what a fleet repeats (its CA,
 * its config.yaml) is kept, what each node has alone (its own certificates) never fills the cache.
 * The last few first sightings are also kept, in a small window of their own, so that what repeats
 * at once (two control planes of one cluster share their CAs; a node compared with a copy of
 * itself) is not worked out twice; a fleet's unique values only pass through that window.
 */
export class RepeatCache<V> {
  private readonly seen: Lru<string, true>;
  private readonly values: Lru<string, V>;
  private readonly recent: Lru<string, V>;

  constructor(max: number, recent = Math.min(64, max)) {
    this.seen = new Lru(max * 4);
    this.values = new Lru(max);
    this.recent = new Lru(recent);
  }

  get(key: string): V | undefined {
    return this.values.get(key) ?? this.recent.get(key);
  }

  /** Keeps the value if the key was offered before; returns whether it was kept for good. */
  offer(key: string, value: V): boolean {
    if (this.seen.get(key)) {
      this.values.set(key, value);
      return true;
    }
    this.seen.set(key, true);
    if (this.recent.max > 0) this.recent.set(key, value);
    return false;
  }

  /** Entries kept for good and in the window of first sightings. */
  get sizes(): { values: number; recent: number } {
    return { values: this.values.size, recent: this.recent.size };
  }
}

/** Inputs larger than this are parsed every time: caching them would let one big file pin memory. */
export const MAX_MEMO_INPUT = 256 * 1024;

/**
 * Texts up to this many characters are their own key: a Map hashes and compares a text of a few
 * KiB for a third of what SHA-256 of it costs, and the caches keyed by them (a few hundred entries
 * each) then hold at most a few MiB of keys.
 */
const TEXT_KEY_CHARS = 4096;

/**
 * A content key, prefixed by what kind of parse it keys: a short text itself (behind its length, so
 * that what a caller appends to the key cannot be taken for part of the text), else SHA-256 of the
 * bytes (or UTF-8 text). `kind` holds neither ':' nor '#': the two forms never meet.
 */
export function contentKey(kind: string, data: Buffer | Uint8Array | string): string {
  if (typeof data === 'string' && data.length <= TEXT_KEY_CHARS) return `${kind}#${data.length}:${data}`;
  return `${kind}:${sha256(data, 'base64')}`;
}

/** Deep-freezes plain data (objects and arrays), so a value shared between callers cannot be changed by one of them. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

const shared = new WeakSet<object>();

/**
 * Deep-freezes plain data (objects and arrays, frozen parts included) and remembers it as immutable
 * all the way down: work derived from it may then be cached on the object itself ({@link isShared}).
 */
export function freezeShared<T>(value: T): T {
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || shared.has(v)) return;
    Object.freeze(v);
    shared.add(v);
    for (const child of Object.values(v as Record<string, unknown>)) visit(child);
  };
  visit(value);
  return value;
}

/** True for data that went through {@link freezeShared}: it cannot change, so what is derived from it can be kept. */
export function isShared(value: unknown): boolean {
  return value !== null && typeof value === 'object' && shared.has(value);
}
