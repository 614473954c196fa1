/** The cheaper ways of reading a node (resolution from a known directory, no stat of a directory input) answer as before, and file reads keep their checks. */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryBackend } from '../../src/source/directory.js';
import { FileTree } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';
import { openNodeInput } from '../../src/source/node-input.js';

let dir: string;

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdiff-fast-'));
  mkdirSync(join(dir, 'etc/kubernetes/pki'), { recursive: true });
  writeFileSync(join(dir, 'etc/kubernetes/pki/a.crt'), 'first file\n');
  writeFileSync(join(dir, 'etc/kubernetes/pki/b.crt'), 'second\n');
  writeFileSync(join(dir, 'etc/kubernetes/empty.conf'), '');
  writeFileSync(join(dir, 'etc/kubernetes/exact'), bytes(64 * 1024, 1));
  writeFileSync(join(dir, 'etc/kubernetes/large'), bytes(100 * 1024 + 3, 2));
  symlinkSync(dir, join(tmpdir(), `${dir.split('/').pop()}-link`));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), `${dir.split('/').pop()}-link`), { force: true });
});

describe('DirectoryBackend.read', () => {
  it('returns each small file as its own bytes', () => {
    const b = new DirectoryBackend(dir);
    const first = b.read(['etc', 'kubernetes', 'pki', 'a.crt']);
    const second = b.read(['etc', 'kubernetes', 'pki', 'b.crt']);
    expect(Buffer.isBuffer(first) && first.toString()).toBe('first file\n');
    expect(Buffer.isBuffer(second) && second.toString()).toBe('second\n');
    expect(b.read(['etc', 'kubernetes', 'empty.conf'])).toEqual(Buffer.alloc(0));
  });

  it('reads files of 64 KiB or larger, byte for byte', () => {
    const b = new DirectoryBackend(dir);
    expect(b.read(['etc', 'kubernetes', 'exact'])).toEqual(bytes(64 * 1024, 1));
    expect(b.read(['etc', 'kubernetes', 'large'])).toEqual(bytes(100 * 1024 + 3, 2));
  });

  it('refuses a file over the limit with its size, whether it is small or large', () => {
    const b = new DirectoryBackend(dir);
    expect(b.read(['etc', 'kubernetes', 'pki', 'a.crt'], 10)).toEqual({ error: 'over the size limit', size: 11 });
    expect(b.read(['etc', 'kubernetes', 'pki', 'a.crt'], 11)).toEqual(Buffer.from('first file\n'));
    expect(b.read(['etc', 'kubernetes', 'large'], 70_000)).toEqual({ error: 'over the size limit', size: 100 * 1024 + 3 });
    expect(b.read(['etc', 'kubernetes', 'missing'])).toEqual({ error: 'ENOENT' });
    expect(b.read(['etc', 'kubernetes'])).toEqual({ error: 'not a regular file' });
  });

  it('never reads what is not a regular file, even when it was swapped in after the listing (a FIFO, with or without a writer; /dev/null)', async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const fifo = join(dir, 'etc/kubernetes/swapped.conf');
    execFileSync('mkfifo', [fifo]);
    try {
      const b = new DirectoryBackend(dir);
      // Nobody writes: the open does not block and nothing is taken for an empty file.
      const alone = b.read(['etc', 'kubernetes', 'swapped.conf']);
      expect(Buffer.isBuffer(alone)).toBe(false);
      // A writer waiting with content: still no bytes taken from it.
      const writer = spawn('sh', ['-c', `printf 'apiVersion: v1\n' > '${fifo}'`]);
      await new Promise((r) => setTimeout(r, 100));
      const written = b.read(['etc', 'kubernetes', 'swapped.conf']);
      expect(Buffer.isBuffer(written)).toBe(false);
      writer.kill();
    } finally {
      rmSync(fifo, { force: true });
    }
    // A character device that reads as empty (what a swap to /dev/null would give) is refused by fstat.
    expect(new DirectoryBackend('/dev').read(['null'])).toEqual({ error: 'not a regular file' });
  });

  it('gives the tree the size for its finding when the file was known only from a listing', () => {
    const tree = new FileTree(dir, new DirectoryBackend(dir));
    expect(tree.list('/etc/kubernetes/pki')).toEqual(['a.crt', 'b.crt']);
    expect(tree.readBytes('/etc/kubernetes/pki/a.crt', { maxBytes: 4 })).toBeNull();
    expect(tree.findings()).toEqual([
      expect.objectContaining({ code: 'file-too-large', message: '/etc/kubernetes/pki/a.crt is 11 bytes, over the 4-byte limit for a config file: not read.' }),
    ]);
    expect(tree.readText('/etc/kubernetes/pki/b.crt')).toBe('second\n');
  });
});

describe('DirectoryBackend keyed', () => {
  it('answers for a key as for its segments', () => {
    const b = new DirectoryBackend(dir);
    expect(b.keyed.lstat('etc/kubernetes/pki')).toEqual(b.lstat(['etc', 'kubernetes', 'pki']));
    expect(b.keyed.lstat('')).toEqual(b.lstat([]));
    expect(b.keyed.read('etc/kubernetes/pki/a.crt')).toEqual(Buffer.from('first file\n'));
    const listed = b.keyed.listWithKinds('etc/kubernetes/pki');
    expect(Array.isArray(listed) && [...listed].sort((x, y) => (x.name < y.name ? -1 : 1))).toEqual([
      { name: 'a.crt', kind: 'file' },
      { name: 'b.crt', kind: 'file' },
    ]);
    expect(b.keyed.lstat('etc/missing')).toBeNull();
  });

  it('refuses a key that could climb out of the root, or holds a NUL', () => {
    const b = new DirectoryBackend(join(dir, 'etc'));
    for (const key of ['..', '../etc', 'kubernetes/../..', 'kubernetes/./pki', '/kubernetes', 'kubernetes/', 'kubernetes//pki', 'a\0b']) {
      expect(b.keyed.lstat(key)).toEqual({ error: 'EINVAL' });
      expect(b.keyed.read(key)).toEqual({ error: 'EINVAL' });
      expect(b.keyed.readlink(key)).toBeNull();
    }
    expect(b.keyed.lstat('kubernetes/pki')).toMatchObject({ kind: 'dir' });
  });
});

describe('resolution from a directory reached before', () => {
  function tree(limits = {}): { t: FileTree; mem: MemoryBackend } {
    const mem = new MemoryBackend();
    mem.add('/a/b/c/f', { kind: 'file', data: Buffer.from('f') });
    mem.add('/a/b/c/g', { kind: 'file', data: Buffer.from('g') });
    mem.add('/a/l', { kind: 'symlink', target: 'b/c' });
    mem.add('/a/loop', { kind: 'symlink', target: 'loop' });
    mem.add('/a/b/c/lf', { kind: 'symlink', target: 'f' });
    mem.add('/a/b/c/up', { kind: 'symlink', target: '../../../..' });
    return { t: new FileTree('t', mem, limits), mem };
  }

  it('counts the steps of the directories it starts below against the tree', () => {
    // Each path takes four steps: the second one fits in eight, not in seven.
    const fits = tree({ maxTreeSteps: 8 }).t;
    expect([fits.readText('/a/b/c/f'), fits.readText('/a/b/c/g')]).toEqual(['f', 'g']);
    expect(fits.findings()).toEqual([]);
    const over = tree({ maxTreeSteps: 7 }).t;
    expect([over.readText('/a/b/c/f'), over.readText('/a/b/c/g')]).toEqual(['f', null]);
    expect(over.findings().map((f) => f.code)).toEqual(['tree-too-complex']);
    // and against one path's own bound
    const steps = tree({ maxResolveSteps: 3 }).t;
    expect(steps.readText('/a/b/c/f')).toBeNull();
    expect(steps.readText('/a/b/c/g')).toBeNull();
  });

  it('follows links as a walk from the root does, whatever was resolved before', () => {
    const { t } = tree();
    expect(t.realPath('/a/b/c')).toBe('/a/b/c');
    expect(t.realPath('/a/l/f')).toBe('/a/b/c/f');
    expect(t.readText('/a/l/g')).toBe('g');
    expect(t.realPath('/a/b/c/../c/f')).toBe('/a/b/c/f');
    expect(t.realPath('/a/loop/f')).toBeNull();
    expect(t.realPath('/a/b/c/f/x')).toBeNull();
    // the last name a link, below a directory reached before
    expect(t.realPath('/a/b/c/lf')).toBe('/a/b/c/f');
    expect(t.readText('/a/b/c/lf')).toBe('f');
    expect(t.realPath('/a/b/c/up')).toBeNull();
    expect(t.findings().map((f) => f.code)).toEqual(['symlink-escapes-root', 'symlink-loop']);
  });
});

describe('openNodeInput of a directory', () => {
  it('opens a directory, or a link to one, without stat-ing it first', async () => {
    for (const p of [dir, join(tmpdir(), `${dir.split('/').pop()}-link`)]) {
      const r = await openNodeInput(p);
      expect(r).toMatchObject({ kind: 'tree', format: 'directory', layout: 'root' });
      if (r.kind === 'tree') expect(r.tree.readText('/etc/kubernetes/pki/a.crt')).toBe('first file\n');
    }
  });

  it('words a missing input and a path through a file as before', async () => {
    await expect(openNodeInput(join(dir, 'missing'))).rejects.toThrow('no such file or directory');
    await expect(openNodeInput(join(dir, 'etc/kubernetes/pki/a.crt/x'))).rejects.toThrow('no such file or directory');
  });
});
