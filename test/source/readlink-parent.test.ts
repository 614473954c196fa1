/** readLink resolves a link's parent as any path resolves (from a directory reached earlier): same answers, findings naming the link's path. */
import fc from 'fast-check';
import { FileTree } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';

function parentOf(p: string): string {
  const slash = p.lastIndexOf('/');
  return slash <= 0 ? '/' : p.slice(0, slash);
}

describe('FileTree.readLink', () => {
  it('names the link path in a finding about its parent (a loop)', () => {
    const mem = new MemoryBackend();
    mem.add('/x', { kind: 'symlink', target: '/y' });
    mem.add('/y', { kind: 'symlink', target: '/x' });
    const tree = new FileTree('t', mem);
    expect(tree.readLink('/x/link')).toBeNull();
    expect(tree.findings().map((f) => [f.code, f.path])).toEqual([['symlink-loop', '/x/link']]);
  });

  it('answers alike whether or not its parent was resolved before', () => {
    const segment = fc.constantFrom('etc', 'pki', 'a', 'b', '..', '.', 'ca.crt');
    const pathText = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => '/' + parts.join('/'));
    const nodeArb = fc.record({ path: pathText, kind: fc.constantFrom('file', 'dir', 'symlink', 'symlink'), target: pathText });
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 12 }), fc.array(pathText, { minLength: 1, maxLength: 6 }), (nodes, probes) => {
        const mem = new MemoryBackend();
        for (const n of nodes) {
          if (n.kind === 'file') mem.add(n.path, { kind: 'file', data: Buffer.from(n.path) });
          else if (n.kind === 'symlink') mem.add(n.path, { kind: 'symlink', target: n.target });
          else mem.add(n.path, { kind: 'dir' });
        }
        for (const p of probes) {
          const cold = new FileTree('t', mem);
          const warm = new FileTree('t', mem);
          warm.kind(parentOf(p));
          expect(warm.readLink(p)).toBe(cold.readLink(p));
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
