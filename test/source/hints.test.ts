/**
 * ListingHints: trees of one fleet read one after another learn which directories are worth a
 * listing. Hints change what reading costs, never what a tree answers.
 */
import fc from 'fast-check';
import { FileTree, ListingHints } from '../../src/source/file-tree.js';
import { ListingMemory, observe } from '../helpers/listing-memory.js';
import { MemoryBackend } from '../../src/source/memory.js';

function node(name: string): MemoryBackend {
  const mem = new MemoryBackend();
  mem.add('/etc/kubernetes/kubelet.conf', { kind: 'file', data: Buffer.from('apiVersion: v1\n') });
  mem.add('/etc/kubernetes/pki/ca.crt', { kind: 'file', data: Buffer.from('CA') });
  mem.add('/var/lib/kubelet/kubeadm-flags.env', { kind: 'file', data: Buffer.from(`--hostname-override=${name}`) });
  mem.add('/var/lib/kubelet/config.yaml', { kind: 'file', data: Buffer.from('kind: KubeletConfiguration\n') });
  mem.add('/usr/lib/systemd/system/kubelet.service', { kind: 'file', data: Buffer.from('[Service]\n') });
  return mem;
}

/** What a scan of one node asks: probes, reads, and a listing of /etc/kubernetes. */
function scanLike(tree: FileTree): unknown[] {
  return [
    tree.kind('/usr/local/lib/systemd/system'),
    tree.readText('/usr/lib/systemd/system/kubelet.service'),
    tree.readText('/var/lib/kubelet/kubeadm-flags.env'),
    tree.readText('/var/lib/kubelet/config.yaml'),
    tree.isFile('/etc/kubernetes/kubelet.conf'),
    tree.isFile('/etc/kubernetes/admin.conf'),
    tree.list('/etc/kubernetes'),
    tree.readText('/etc/kubernetes/pki/ca.crt'),
    tree.findings(),
  ];
}

describe('ListingHints', () => {
  it('lists at the first lookup what an earlier tree listed, and probes the rest name by name', () => {
    const hints = new ListingHints();
    const first = new ListingMemory(node('w1'));
    const a = scanLike(new FileTree('w1', first, {}, hints));
    expect(first.calls.filter((c) => c.startsWith('listWithKinds'))).toEqual(['listWithKinds /', 'listWithKinds /etc/kubernetes']);
    // /usr and /var/lib/kubelet had two names looked up each: probing those is cheaper than listing
    expect(first.calls).toContain('lstat /usr/local');
    expect(first.calls).toContain('lstat /usr/lib');
    expect(hints.has('etc/kubernetes')).toBe(true);
    expect(hints.has('usr')).toBe(false);

    const second = new ListingMemory(node('w2'));
    const b = scanLike(new FileTree('w2', second, {}, hints));
    // kubelet.conf and admin.conf come from the listing read at the first lookup in /etc/kubernetes
    expect(second.calls).not.toContain('lstat /etc/kubernetes/kubelet.conf');
    expect(second.calls).not.toContain('lstat /etc/kubernetes/admin.conf');
    expect(second.calls.filter((c) => c === 'listWithKinds /etc/kubernetes')).toHaveLength(1);
    expect(b).toEqual(a.map((x, i) => (i === 2 ? '--hostname-override=w2' : x)));
  });

  it('lists a directory once four names were looked up in it, and learns it', () => {
    const hints = new ListingHints();
    const mem = new ListingMemory(node('w1'));
    const tree = new FileTree('w1', mem, {}, hints);
    for (const n of ['a', 'b', 'c']) expect(tree.kind(`/etc/${n}`)).toBeNull();
    expect(mem.calls).not.toContain('listWithKinds /etc');
    expect(tree.kind('/etc/d')).toBeNull();
    expect(mem.calls).toContain('listWithKinds /etc');
    expect(hints.has('etc')).toBe(true);
  });

  it('stops learning at its bound', () => {
    const hints = new ListingHints(2);
    for (const k of ['a', 'b', 'c']) hints.learn(k);
    expect(hints.size).toBe(2);
    expect(hints.has('c')).toBe(false);
  });
});

const segment = fc.constantFrom('etc', 'kubernetes', 'pki', 'a', 'b', '..', '.', '', 'ca.crt');
const pathText = fc.array(segment, { minLength: 0, maxLength: 6 }).chain((parts) => fc.boolean().map((abs) => (abs ? '/' : '') + parts.join('/')));
const nodeArb = fc.record({ path: pathText, kind: fc.constantFrom('file', 'dir', 'symlink', 'other'), target: pathText });


describe('hinted trees answer as unhinted ones', () => {
  it('gives the same answers and findings whatever earlier trees taught the hints', () => {
    fc.assert(
      fc.property(fc.array(fc.array(nodeArb, { maxLength: 12 }), { minLength: 2, maxLength: 3 }), fc.array(pathText, { minLength: 1, maxLength: 10 }), (trees, probes) => {
        const hints = new ListingHints();
        for (const nodes of trees) {
          const mem = new MemoryBackend();
          for (const n of nodes) {
            if (n.kind === 'file') mem.add(n.path, { kind: 'file', data: Buffer.from(`content of ${n.path}`) });
            else if (n.kind === 'symlink') mem.add(n.path, { kind: 'symlink', target: n.target });
            else mem.add(n.path, { kind: n.kind as 'dir' | 'other' });
          }
          const plain = observe(new FileTree('p', mem), probes);
          const hinted = observe(new FileTree('p', new ListingMemory(mem), {}, hints), probes);
          expect(hinted).toEqual(plain);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
