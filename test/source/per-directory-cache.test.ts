/** What the tree caches per directory (lstat answers by name, listings by the path asked for) answers as a fresh look would. */
import { FileTree, type RawStat } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';

function counted(): { backend: MemoryBackend; lstats: string[]; lists: string[] } {
  const backend = new MemoryBackend();
  backend.add('/etc/kubernetes/pki/ca.crt', { kind: 'file', data: Buffer.from('ca\n') });
  backend.add('/etc/kubernetes/kubelet.conf', { kind: 'file', data: Buffer.from('kubeconfig\n') });
  backend.add('/etc/kubernetes/manifests', { kind: 'dir' });
  backend.add('/var/lib/kubelet/pki/current.pem', { kind: 'symlink', target: '/etc/kubernetes/pki/ca.crt' });
  const lstats: string[] = [];
  const lists: string[] = [];
  const lstat = backend.lstat.bind(backend);
  const list = backend.list.bind(backend);
  backend.lstat = (segments: readonly string[]): RawStat | null => {
    lstats.push(segments.join('/'));
    return lstat(segments);
  };
  backend.list = (segments: readonly string[]) => {
    lists.push(segments.join('/'));
    return list(segments);
  };
  return { backend, lstats, lists };
}

describe('FileTree caches per directory', () => {
  it('asks lstat once per name, however often and however a path is spelled', () => {
    const { backend, lstats } = counted();
    const tree = new FileTree('n', backend);
    for (let i = 0; i < 3; i++) {
      expect(tree.kind('/etc/kubernetes/pki/ca.crt')).toBe('file');
      expect(tree.kind('/etc//kubernetes/./pki/ca.crt')).toBe('file');
      expect(tree.kind('/etc/kubernetes/missing.conf')).toBeNull();
      expect(tree.size('/etc/kubernetes/kubelet.conf')).toBe(11);
      expect(tree.realPath('/var/lib/kubelet/pki/current.pem')).toBe('/etc/kubernetes/pki/ca.crt');
    }
    expect(lstats.length).toBe(new Set(lstats).size);
    expect(lstats).toEqual(
      expect.arrayContaining(['etc', 'etc/kubernetes', 'etc/kubernetes/pki', 'etc/kubernetes/pki/ca.crt', 'etc/kubernetes/missing.conf', 'var/lib/kubelet/pki/current.pem']),
    );
  });

  it('lists a directory once, and gives every caller its own copy under every spelling', () => {
    const { backend, lists } = counted();
    const tree = new FileTree('n', backend);
    const a = tree.list('/etc/kubernetes');
    expect(a).toEqual(['kubelet.conf', 'manifests', 'pki']);
    a.push('mutated');
    expect(tree.list('/etc/kubernetes')).toEqual(['kubelet.conf', 'manifests', 'pki']);
    expect(tree.list('/etc/kubernetes/')).toEqual(['kubelet.conf', 'manifests', 'pki']);
    expect(tree.list('/var/../etc/kubernetes')).toEqual(['kubelet.conf', 'manifests', 'pki']);
    expect(tree.list('/etc/kubernetes/kubelet.conf')).toEqual([]);
    expect(tree.list('/nowhere')).toEqual([]);
    expect(lists.filter((l) => l === 'etc/kubernetes')).toEqual(['etc/kubernetes']);
  });

  it('answers nothing below the root once the tree is exhausted, listed before or not', () => {
    const { backend } = counted();
    const tree = new FileTree('n', backend, { maxTreeSteps: 8 });
    expect(tree.list('/etc/kubernetes')).toEqual(['kubelet.conf', 'manifests', 'pki']);
    for (let i = 0; i < 10; i++) tree.kind(`/etc/kubernetes/x${i}`);
    expect(tree.findings().map((f) => f.code)).toContain('tree-too-complex');
    expect(tree.list('/etc/kubernetes')).toEqual([]);
    expect(tree.list('/')).toEqual(['etc', 'var']);
  });
});
