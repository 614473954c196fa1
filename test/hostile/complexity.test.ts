/** A tree built to make path resolution expensive costs bounded time, and says the scan is incomplete. */
import { FileTree } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';

describe('resolution bounds', () => {
  it('refuses one path that takes too many steps', () => {
    const mem = new MemoryBackend();
    mem.add('/d/a/file', { kind: 'file', data: Buffer.from('x') });
    // each target is under PATH_MAX, but six of them chained take about 4800 steps
    for (let i = 0; i < 6; i++) mem.add(`/d/l${i}`, { kind: 'symlink', target: 'a/../'.repeat(800) + `l${i + 1}` });
    mem.add('/d/l6', { kind: 'symlink', target: 'a/file' });
    mem.add('/d/long', { kind: 'symlink', target: 'l0' });
    const tree = new FileTree('t', mem);
    expect(tree.readText('/d/long')).toBeNull();
    expect(tree.findings()).toEqual([expect.objectContaining({ code: 'path-too-complex', path: '/d/long' })]);
    expect(new FileTree('t', mem, { maxResolveSteps: 10_000 }).readText('/d/long')).toBe('x');
  });

  it('stops a tree whose links multiply the work, in bounded time', () => {
    const mem = new MemoryBackend();
    mem.add('/d/a/file', { kind: 'file', data: Buffer.from('x') });
    for (let i = 0; i < 39; i++) mem.add(`/d/l${i}`, { kind: 'symlink', target: 'a/../'.repeat(50) + `l${i + 1}` });
    mem.add('/d/l39', { kind: 'symlink', target: 'a/file' });
    for (let i = 0; i < 5000; i++) mem.add(`/d/many/m${i}`, { kind: 'symlink', target: '/d/l0' });
    const tree = new FileTree('t', mem);
    const start = Date.now();
    const files = tree.walkFiles('/d/many');
    expect(Date.now() - start).toBeLessThan(5000);
    expect(files.length).toBeLessThan(5000);
    expect(tree.findings().map((f) => f.code)).toContain('tree-too-complex');
    expect(tree.findings().find((f) => f.code === 'tree-too-complex')?.severity).toBe('error');
  });

  it('refuses a path longer than PATH_MAX', () => {
    const tree = new FileTree('t', new MemoryBackend());
    expect(tree.readText('/a'.repeat(3000))).toBeNull();
    expect(tree.findings()[0].code).toBe('path-too-long');
  });

  it('refuses a long path in a tree with a lower limit after another tree read it', () => {
    const mem = new MemoryBackend();
    mem.add('/etc/kubernetes/pki/ca.crt', { kind: 'file', data: Buffer.from('x') });
    expect(new FileTree('t', mem).readText('/etc/kubernetes/pki/ca.crt')).toBe('x');
    const strict = new FileTree('t', mem, { maxPathLength: 10 });
    expect(strict.isFile('/etc/kubernetes/pki/ca.crt')).toBe(false);
    expect(strict.findings()[0]).toMatchObject({ code: 'path-too-long', path: null });
  });

  it('keeps at most maxFindings findings, and says so', () => {
    const mem = new MemoryBackend();
    for (let i = 0; i < 50; i++) mem.add(`/big${i}`, { kind: 'file', data: Buffer.alloc(10) });
    const tree = new FileTree('t', mem, { maxFileBytes: 5, maxFindings: 20 });
    for (let i = 0; i < 50; i++) tree.readText(`/big${i}`);
    expect(tree.findings()).toHaveLength(21);
    expect(tree.findings().map((f) => f.code)).toContain('too-many-findings');
  });

  it('says a UTF-16 file is UTF-16, not just binary', () => {
    const mem = new MemoryBackend();
    mem.add('/etc/default/kubelet', { kind: 'file', data: Buffer.from('\ufeffKUBELET_EXTRA_ARGS=--v=2\n', 'utf16le') });
    const tree = new FileTree('t', mem);
    expect(tree.readText('/etc/default/kubelet')).toBeNull();
    expect(tree.findings()[0]).toMatchObject({ code: 'binary-file', path: '/etc/default/kubelet' });
    expect(tree.findings()[0].message).toContain('UTF-16');
  });

  it('reports a directory with too many entries', () => {
    const mem = new MemoryBackend();
    for (let i = 0; i < 30; i++) mem.add(`/d/f${i}`, { kind: 'file', data: Buffer.from('x') });
    const tree = new FileTree('t', mem, { maxDirEntries: 10 });
    expect(tree.list('/d')).toHaveLength(10);
    expect(tree.findings()[0]).toMatchObject({ code: 'dir-too-large', path: '/d' });
  });
});
