/**
 * FileTree answers lookups from directory listings (readdir's d_type) when its backend lists with
 * kinds. The answers must be those of one lstat per path, and nothing the listing said may be
 * trusted at open time: a file swapped for a link after the listing is still not followed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FileTree, joinNodePath, nodeSegments, type DirEntry, type RawBackend, type RawStat } from '../../src/source/file-tree.js';
import { DirectoryBackend, direntKind } from '../../src/source/directory.js';
import { MemoryBackend } from '../../src/source/memory.js';
import { openDirectory } from '../../src/source/open.js';
import { CANARY, chmodBlocksReads } from '../helpers/hostile.js';
import { ListingMemory, observe } from '../helpers/listing-memory.js';

/** Counts what a backend is asked, by method and path. */
class Counting implements RawBackend {
  calls: string[] = [];
  readonly listWithKinds?: (s: readonly string[], m?: number, size?: number) => DirEntry[] | { error: string };
  constructor(private readonly inner: RawBackend) {
    const lwk = inner.listWithKinds;
    if (lwk) {
      this.listWithKinds = (s, m, size) => {
        this.calls.push(`listWithKinds /${s.join('/')}`);
        return lwk.call(inner, s, m, size);
      };
    }
  }
  lstat(s: readonly string[]): RawStat | null | { error: string } {
    this.calls.push(`lstat /${s.join('/')}`);
    return this.inner.lstat(s);
  }
  readlink(s: readonly string[]): string | null {
    this.calls.push(`readlink /${s.join('/')}`);
    return this.inner.readlink(s);
  }
  read(s: readonly string[], m?: number): Buffer | { error: string; size?: number } {
    this.calls.push(`read /${s.join('/')}`);
    return this.inner.read(s, m);
  }
  list(s: readonly string[], m?: number, size?: number): string[] | { error: string } {
    this.calls.push(`list /${s.join('/')}`);
    return this.inner.list(s, m, size);
  }
}

let dir: string;
let outside: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdiff-listing-'));
  outside = mkdtempSync(join(tmpdir(), 'kdiff-listing-out-'));
  writeFileSync(join(outside, 'canary'), CANARY);
  mkdirSync(join(dir, 'etc/kubernetes/pki'), { recursive: true });
  writeFileSync(join(dir, 'etc/kubernetes/admin.conf'), 'ADMIN');
  writeFileSync(join(dir, 'etc/kubernetes/pki/ca.crt'), 'CA');
  symlinkSync('pki/ca.crt', join(dir, 'etc/kubernetes/ca-link'));
  execFileSync('mkfifo', [join(dir, 'etc/kubernetes/fifo')]);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('DirectoryBackend.listWithKinds', () => {
  it('gives each entry its kind from the listing, links and FIFOs included', () => {
    const b = new DirectoryBackend(dir);
    const got = b.listWithKinds(['etc', 'kubernetes']);
    expect(Array.isArray(got) && [...got].sort((a, c) => (a.name < c.name ? -1 : 1))).toEqual([
      { name: 'admin.conf', kind: 'file' },
      { name: 'ca-link', kind: 'symlink' },
      { name: 'fifo', kind: 'other' },
      { name: 'pki', kind: 'dir' },
    ]);
    expect(b.listWithKinds(['etc', 'nope'])).toEqual({ error: 'ENOENT' });
  });

  it('says nothing of an entry whose type the filesystem did not give (DT_UNKNOWN)', () => {
    const no = () => false;
    expect(direntKind({ isFile: no, isDirectory: no, isSymbolicLink: no, isFIFO: no, isSocket: no, isBlockDevice: no, isCharacterDevice: no })).toBeNull();
  });
});

describe('FileTree over a listing backend', () => {
  it('answers a missing name in a listed directory without asking the backend', () => {
    const spy = new Counting(new DirectoryBackend(dir));
    const tree = new FileTree(dir, spy);
    expect(tree.list('/etc/kubernetes')).toEqual(['admin.conf', 'ca-link', 'fifo', 'pki']);
    spy.calls = [];
    expect(tree.kind('/etc/kubernetes/scheduler.conf')).toBeNull();
    expect(tree.kind('/etc/kubernetes/pki')).toBe('dir');
    expect(tree.isFile('/etc/kubernetes/admin.conf')).toBe(true);
    expect(spy.calls).toEqual([]);
    // a link is read as a link, and its target looked up in the same way
    expect(tree.readText('/etc/kubernetes/ca-link')).toBe('CA');
    // pki is known from the listing; the first name looked up in it is one lstat (a listing costs more)
    expect(spy.calls.filter((c) => c.startsWith('lstat'))).toEqual(['lstat /etc/kubernetes/pki/ca.crt']);
  });

  it('reads each directory once, whether listed or looked up in', () => {
    const spy = new Counting(new DirectoryBackend(dir));
    const tree = new FileTree(dir, spy);
    tree.kind('/etc/kubernetes/a');
    tree.kind('/etc/kubernetes/b');
    tree.kind('/etc/kubernetes/c');
    tree.list('/etc/kubernetes');
    tree.walkFiles('/etc');
    expect(spy.calls.filter((c) => c === 'listWithKinds /etc/kubernetes')).toHaveLength(1);
  });

  it('never follows a file that became a symlink after the listing said it was a file', () => {
    const tree = new FileTree(dir, new DirectoryBackend(dir));
    expect(tree.list('/etc/kubernetes')).toContain('admin.conf');
    unlinkSync(join(dir, 'etc/kubernetes/admin.conf'));
    symlinkSync(join(outside, 'canary'), join(dir, 'etc/kubernetes/admin.conf'));
    expect(tree.readText('/etc/kubernetes/admin.conf')).toBeNull();
    expect(tree.findings()).toEqual([
      { severity: 'warning', code: 'unreadable', path: '/etc/kubernetes/admin.conf', message: 'Could not read /etc/kubernetes/admin.conf: ELOOP.' },
    ]);
    expect(JSON.stringify(tree.findings())).not.toContain(CANARY);
  });

  it('never reads a file that became a FIFO after the listing said it was a file', () => {
    const tree = new FileTree(dir, new DirectoryBackend(dir));
    expect(tree.isFile('/etc/kubernetes/admin.conf')).toBe(true);
    tree.list('/etc/kubernetes');
    unlinkSync(join(dir, 'etc/kubernetes/admin.conf'));
    execFileSync('mkfifo', [join(dir, 'etc/kubernetes/admin.conf')]);
    expect(tree.readText('/etc/kubernetes/admin.conf')).toBeNull();
    expect(tree.findings().map((f) => f.code)).toEqual(['unreadable']);
  });

  it('refuses a file over the size limit with its size, knowing only from the listing that it is a file', () => {
    writeFileSync(join(dir, 'etc/kubernetes/big.yaml'), Buffer.alloc(3000, 'a'));
    const spy = new Counting(new DirectoryBackend(dir));
    const tree = new FileTree(dir, spy, { maxFileBytes: 1024 });
    tree.list('/etc/kubernetes');
    expect(tree.readText('/etc/kubernetes/big.yaml')).toBeNull();
    expect(tree.findings()).toEqual([
      {
        severity: 'warning',
        code: 'file-too-large',
        path: '/etc/kubernetes/big.yaml',
        message: '/etc/kubernetes/big.yaml is 3000 bytes, over the 1024-byte limit for a config file: not read.',
      },
    ]);
    expect(tree.size('/etc/kubernetes/big.yaml')).toBe(3000);
    expect(tree.size('/etc/kubernetes/ca-link')).toBe(2);
    expect(tree.size('/etc/kubernetes/pki')).toBeNull();
  });

  it('reuses the listing and stat of the root the opener already read', () => {
    const { tree } = openDirectory(dir);
    const backend = (tree as unknown as { backend: RawBackend }).backend;
    const spy = new Counting(backend);
    (tree as unknown as { backend: RawBackend }).backend = spy;
    expect(tree.kind('/var')).toBeNull();
    expect(tree.kind('/etc')).toBe('dir');
    expect(tree.list('/')).toEqual(['etc']);
    expect(spy.calls).toEqual(['lstat /', 'listWithKinds /']);
  });

  it('lstats a name the listing has no kind for (DT_UNKNOWN), and answers as lstat would', () => {
    const mem = new MemoryBackend();
    mem.add('/etc/kubernetes/admin.conf', { kind: 'file', data: Buffer.from('ADMIN') });
    mem.add('/etc/kubernetes/link', { kind: 'symlink', target: 'admin.conf' });
    mem.add('/etc/kubernetes/fifo', { kind: 'other' });
    const spy = new Counting(new ListingMemory(mem, { unknown: (n) => n !== 'admin.conf' }));
    const tree = new FileTree('mem', spy);
    tree.list('/etc/kubernetes');
    spy.calls = [];
    expect(tree.readText('/etc/kubernetes/link')).toBe('ADMIN');
    expect(tree.readText('/etc/kubernetes/fifo')).toBeNull();
    expect(tree.kind('/etc/kubernetes/absent')).toBeNull();
    expect(spy.calls.filter((c) => c.startsWith('lstat'))).toEqual(['lstat /etc/kubernetes/link', 'lstat /etc/kubernetes/fifo']);
    expect(tree.findings().map((f) => f.code)).toEqual(['special-file']);
  });

  it('follows relative links that climb back up inside the tree, by lstat and by listing alike', () => {
    const mem = new MemoryBackend();
    mem.add('/var/lib/kubelet/pki/kubelet-client-2024.pem', { kind: 'file', data: Buffer.from('CLIENT') });
    mem.add('/etc/kubernetes/pki/deep/link', { kind: 'symlink', target: '../../../../var/lib/kubelet/pki/./kubelet-client-2024.pem' });
    mem.add('/etc/kubernetes/pki/deep/up', { kind: 'symlink', target: '..' });
    for (const backend of [mem, new ListingMemory(mem)]) {
      const tree = new FileTree('mem', backend);
      expect(tree.realPath('/etc/kubernetes/pki/deep/link')).toBe('/var/lib/kubelet/pki/kubelet-client-2024.pem');
      expect(tree.readText('/etc/kubernetes/pki/deep/link')).toBe('CLIENT');
      expect(tree.realPath('/etc/kubernetes/pki/deep/up/deep/up/deep')).toBe('/etc/kubernetes/pki/deep');
      expect(tree.list('/etc/kubernetes/pki/deep/up')).toEqual(['deep']);
      expect(tree.findings()).toEqual([]);
    }
  });

  it('lstats a name missing from a listing cut short at the entry limit', () => {
    const mem = new MemoryBackend();
    for (const n of ['a', 'b', 'c', 'd']) mem.add(`/etc/${n}`, { kind: 'file', data: Buffer.from(n) });
    const spy = new Counting(new ListingMemory(mem, { cut: true }));
    const tree = new FileTree('mem', spy, { maxDirEntries: 2 });
    expect(tree.list('/etc')).toEqual(['a', 'b']);
    expect(tree.readText('/etc/d')).toBe('d');
    expect(spy.calls).toContain('lstat /etc/d');
    expect(tree.findings().map((f) => f.code)).toEqual(['dir-too-large']);
  });
});

describe('a directory one may list but not search (r without x)', () => {
  /** As the kernel answers a non-root user: the names list, each lookup is EACCES. */
  class ReadNotSearch implements RawBackend {
    constructor(private readonly inner: DirectoryBackend) {}
    private denied(s: readonly string[]): boolean {
      return s.length > 2 && s[0] === 'etc' && s[1] === 'kubernetes';
    }
    lstat(s: readonly string[]): RawStat | null | { error: string } {
      return this.denied(s) ? { error: 'permission denied' } : this.inner.lstat(s);
    }
    readlink(s: readonly string[]): string | null {
      return this.denied(s) ? null : this.inner.readlink(s);
    }
    read(s: readonly string[], m?: number): Buffer | { error: string; size?: number } {
      return this.denied(s) ? { error: 'permission denied' } : this.inner.read(s, m);
    }
    list(s: readonly string[], m?: number, size?: number): string[] | { error: string } {
      return this.inner.list(s, m, size);
    }
    listWithKinds(s: readonly string[], m?: number, size?: number): DirEntry[] | { error: string } {
      return s.join('/') === 'etc/kubernetes' ? { error: 'permission denied' } : this.inner.listWithKinds(s, m, size);
    }
  }

  it('looks each name up, so every lookup is the EACCES finding it always was', () => {
    const tree = new FileTree(dir, new ReadNotSearch(new DirectoryBackend(dir)));
    expect(tree.list('/etc/kubernetes')).toEqual(['admin.conf', 'ca-link', 'fifo', 'pki']);
    expect(tree.kind('/etc/kubernetes/admin.conf')).toBeNull();
    expect(tree.kind('/etc/kubernetes/absent')).toBeNull();
    expect(tree.findings()).toEqual(
      ['/etc/kubernetes/absent', '/etc/kubernetes/admin.conf'].map((path) => ({ severity: 'warning', code: 'unreadable', path, message: `Could not read ${path}: permission denied.` })),
    );
  });

  it('is what DirectoryBackend says of such a directory on disk', () => {
    chmodSync(join(dir, 'etc/kubernetes'), 0o644);
    try {
      const got = new DirectoryBackend(dir).listWithKinds(['etc', 'kubernetes']);
      if (chmodBlocksReads()) expect(got).toEqual({ error: 'permission denied' });
      else expect(Array.isArray(got) && got.map((e) => e.name).sort()).toEqual(['admin.conf', 'ca-link', 'fifo', 'pki']);
      expect(new DirectoryBackend(dir).list(['etc', 'kubernetes'])).toHaveLength(4);
    } finally {
      chmodSync(join(dir, 'etc/kubernetes'), 0o755);
    }
  });
});

const segment = fc.constantFrom('etc', 'kubernetes', 'pki', 'a', 'b', '..', '.', '', 'ca.crt', '...', 'x y');
const pathText = fc.array(segment, { minLength: 0, maxLength: 7 }).chain((parts) => fc.boolean().map((abs) => (abs ? '/' : '') + parts.join('/')));
const nodeArb = fc.record({ path: pathText, kind: fc.constantFrom('file', 'dir', 'symlink', 'symlink', 'other'), target: pathText });


describe('lookups from listings are lookups by lstat', () => {
  it('gives the same answers and findings on any tree, whatever the listing says or leaves out', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { maxLength: 14 }),
        fc.array(pathText, { minLength: 1, maxLength: 10 }),
        fc.constantFrom(undefined, 2),
        fc.func(fc.boolean()),
        (nodes, probes, maxDirEntries, unknown) => {
          const mem = new MemoryBackend();
          for (const n of nodes) {
            if (n.kind === 'file') mem.add(n.path, { kind: 'file', data: Buffer.from(`content of ${n.path}`) });
            else if (n.kind === 'symlink') mem.add(n.path, { kind: 'symlink', target: n.target });
            else mem.add(n.path, { kind: n.kind as 'dir' | 'other' });
          }
          const limits = maxDirEntries === undefined ? {} : { maxDirEntries };
          const byLstat = observe(new FileTree('p', mem, limits), probes);
          const byListing = observe(new FileTree('p', new ListingMemory(mem, { unknown }), limits), probes);
          expect(byListing).toEqual(byLstat);
        },
      ),
      { numRuns: 400, seed: 3 },
    );
  });
});

describe('joinNodePath', () => {
  it('is nodeSegments joined, for any path, normal already or not', () => {
    const part = fc.constantFrom('etc', '', '.', '..', '...', '.a', 'a.', '..b', 'x y');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), fc.boolean(), fc.boolean(), (parts, abs, trailing) => {
        const p = (abs ? '/' : '') + parts.join('/') + (trailing ? '/' : '');
        expect(joinNodePath(p)).toBe('/' + nodeSegments(p).join('/'));
      }),
      { numRuns: 500, seed: 4 },
    );
  });

  it('joins parts as nodeSegments of parts.join("/"), whatever slashes they start or end with', () => {
    const part = fc.constantFrom('', '/', '//', 'etc', '/etc', 'etc/', '/etc/', '.', '..', '/..', 'a/../b', './x', 'x y');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), (parts) => {
        expect(joinNodePath(...parts)).toBe('/' + nodeSegments(parts.join('/')).join('/'));
      }),
      { numRuns: 1000, seed: 5 },
    );
  });
});
