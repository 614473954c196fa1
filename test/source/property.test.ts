/** Property-based tests: whatever links and entries a tree or archive holds, nothing escapes, nothing throws, answers repeat. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FileTree, type RawBackend } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';
import { DirectoryBackend } from '../../src/source/directory.js';
import { readTar, treeFromTar } from '../../src/source/tar.js';
import { tarArchive, type TarEntrySpec, type TarType } from '../helpers/tar-writer.js';
import { CANARY } from '../helpers/hostile.js';

const segment = fc.constantFrom('etc', 'kubernetes', 'pki', 'a', 'b', '..', '.', '', 'ca.crt', '...', 'x y');
const pathText = fc.array(segment, { minLength: 0, maxLength: 7 }).chain((parts) => fc.boolean().map((abs) => (abs ? '/' : '') + parts.join('/')));

interface Node {
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  target: string;
}
const nodeArb = fc.record({ path: pathText, kind: fc.constantFrom<Node['kind']>('file', 'dir', 'symlink', 'symlink', 'other'), target: pathText });

/** Records every path a backend is asked about, to check nothing but clean segments reach it. */
class Spy implements RawBackend {
  seen: string[][] = [];
  constructor(private readonly inner: RawBackend) {}
  lstat(s: readonly string[]) {
    this.seen.push([...s]);
    return this.inner.lstat(s);
  }
  readlink(s: readonly string[]) {
    this.seen.push([...s]);
    return this.inner.readlink(s);
  }
  read(s: readonly string[], m?: number) {
    this.seen.push([...s]);
    return this.inner.read(s, m);
  }
  list(s: readonly string[], m?: number) {
    this.seen.push([...s]);
    return this.inner.list(s, m);
  }
}

function observe(tree: FileTree, probes: string[]): unknown {
  return probes.map((p): unknown => [tree.kind(p), tree.realPath(p), tree.readText(p), tree.list(p), tree.readLink(p)]).concat([tree.walkFiles('/'), tree.findings()]);
}

describe('FileTree path resolution (in memory)', () => {
  it('never hands the backend an unclean segment, never throws, and answers the same twice', () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 12 }), fc.array(pathText, { minLength: 1, maxLength: 8 }), (nodes, probes) => {
        const mem = new MemoryBackend();
        for (const n of nodes) {
          if (n.kind === 'file') mem.add(n.path, { kind: 'file', data: Buffer.from(`content of ${n.path}`) });
          else if (n.kind === 'symlink') mem.add(n.path, { kind: 'symlink', target: n.target });
          else mem.add(n.path, { kind: n.kind });
        }
        const spy = new Spy(mem);
        const a = observe(new FileTree('p', spy), probes);
        const b = observe(new FileTree('p', mem), probes);
        expect(a).toEqual(b);
        for (const segs of spy.seen) {
          for (const s of segs) expect(s === '' || s === '.' || s === '..' || s.includes('/')).toBe(false);
        }
        for (const p of probes) {
          const real = new FileTree('p', mem).realPath(p);
          if (real !== null) expect(real.split('/').includes('..')).toBe(false);
        }
      }),
      { numRuns: 300, seed: 1 },
    );
  });
});

describe('FileTree on disk with random links', () => {
  let outside: string;
  beforeAll(() => {
    outside = mkdtempSync(join(tmpdir(), 'kdiff-prop-out-'));
    writeFileSync(join(outside, 'canary'), CANARY);
  });
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  it('never reads the canary outside the root, whatever the links say', () => {
    const target = fc.oneof(
      pathText,
      fc.constant(join(outside, 'canary')),
      fc.constant(outside),
      fc.integer({ min: 1, max: 12 }).map((n) => '../'.repeat(n) + outside.slice(1) + '/canary'),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), dir: fc.constantFrom('', 'etc', 'etc/kubernetes'), target }), { maxLength: 8 }), fc.array(pathText, { maxLength: 6 }), (links, probes) => {
        const root = mkdtempSync(join(tmpdir(), 'kdiff-prop-'));
        try {
          mkdirSync(join(root, 'etc/kubernetes'), { recursive: true });
          writeFileSync(join(root, 'etc/kubernetes/ca.crt'), 'CA');
          for (const l of links) {
            try {
              symlinkSync(l.target, join(root, l.dir, l.name));
            } catch {
              // the same name twice: keep the first
            }
          }
          const tree = new FileTree(root, new DirectoryBackend(root));
          const out = JSON.stringify(observe(tree, [...probes, ...links.map((l) => `/${l.dir}/${l.name}`), ...links.map((l) => `/${l.dir}/${l.name}/canary`)]));
          expect(out).not.toContain(CANARY);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 60, seed: 2 },
    );
  });
});

function climbsOut(name: string): boolean {
  let depth = 0;
  for (const part of name.split('/')) {
    if (part === '..' && --depth < 0) return true;
    if (part !== '..' && part !== '' && part !== '.') depth++;
  }
  return false;
}

describe('the tar reader on arbitrary entries', () => {
  const types: TarType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'fifo', 'unknown'];
  const entryArb: fc.Arbitrary<TarEntrySpec> = fc.record({
    name: pathText.filter((p) => p.length > 0),
    type: fc.constantFrom(...types),
    linkpath: pathText,
    data: fc.constantFrom('', 'x'),
  }).map((e) => ({
    ...e,
    data: climbsOut(e.name) ? CANARY : e.data,
    linkpath: e.type === 'symlink' || e.type === 'hardlink' ? e.linkpath || 'x' : undefined,
  }));

  it('never throws but InputError, never escapes, and reads the same archive the same way', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 10 }), fc.array(pathText, { maxLength: 6 }), async (entries, probes) => {
        const archive = tarArchive(entries);
        const read = async () => {
          try {
            const c = await readTar(archive);
            const { tree } = treeFromTar(c, 'a.tar');
            return { stored: c.backend, out: observe(tree, probes) };
          } catch (err) {
            expect((err as Error).name).toBe('InputError');
            return null;
          }
        };
        const a = await read();
        const b = await read();
        expect(a?.out).toEqual(b?.out);
        if (!a) return;
        const walk = (segs: string[]): void => {
          const names = a.stored.list(segs);
          if (!Array.isArray(names)) return;
          for (const n of names) {
            expect(n === '' || n === '.' || n === '..' || n.includes('/')).toBe(false);
            walk([...segs, n]);
          }
        };
        walk([]);
        // only entries whose names climb out hold the canary: it is never stored, so never read
        expect(JSON.stringify(a.out)).not.toContain(CANARY);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
