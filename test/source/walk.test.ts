/**
 * FileTree.walkFiles follows directory links (confined), but reads each real directory once: a
 * link to an ancestor (`pki/up -> ..`, Debian's `/usr/bin/X11 -> .`) adds nothing to a walk.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTree } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';
import { openDirectory } from '../../src/source/open.js';

const FILES = ['/etc/kubernetes/admin.conf', '/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/etcd/ca.crt', '/opt/certs/extra.crt'];
// Links to the directory itself, its parent, its grandparent, the root (absolute), and one sideways.
const LINKS: Array<[string, string]> = [
  ['/etc/kubernetes/pki/self', '.'],
  ['/etc/kubernetes/pki/up', '..'],
  ['/etc/kubernetes/pki/etcd/up2', '../..'],
  ['/etc/kubernetes/pki/etcd/root', '/'],
  ['/etc/kubernetes/pki/extra', '/opt/certs'],
  ['/opt/certs/back', '/etc/kubernetes/pki'],
];

function memoryTree(): FileTree {
  const mem = new MemoryBackend();
  for (const f of FILES) mem.add(f, { kind: 'file', data: Buffer.from(f) });
  for (const [path, target] of LINKS) mem.add(path, { kind: 'symlink', target });
  return new FileTree('mem', mem);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdiff-walk-'));
  for (const f of FILES) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), f);
  }
  for (const [path, target] of LINKS) symlinkSync(target, join(dir, path));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['memory', memoryTree],
  ['directory', () => openDirectory(dir).tree],
])('walkFiles over links to ancestors (%s)', (_name, open) => {
  it('walks a subtree once, never its ancestors under a link name', () => {
    const tree = open();
    expect(tree.walkFiles('/etc/kubernetes/pki')).toEqual([
      '/etc/kubernetes/pki/ca.crt',
      '/etc/kubernetes/pki/etcd/ca.crt',
      // a link sideways is followed, as it always was; its link back is an ancestor of the start
      '/etc/kubernetes/pki/extra/extra.crt',
    ]);
    expect(tree.findings()).toEqual([]);
  });

  it('walks the whole tree with every file once (a directory under the first name the walk meets)', () => {
    const tree = open();
    expect(tree.walkFiles('/')).toEqual(['/etc/kubernetes/admin.conf', '/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/etcd/ca.crt', '/etc/kubernetes/pki/extra/extra.crt']);
    expect(tree.walkFiles('/opt')).toEqual(['/opt/certs/back/ca.crt', '/opt/certs/back/etcd/ca.crt', '/opt/certs/extra.crt']);
    expect(tree.walkFiles('/etc/kubernetes/pki/etcd')).toEqual(['/etc/kubernetes/pki/etcd/ca.crt']);
    expect(tree.findings()).toEqual([]);
  });

  it('still walks from a start reached through a link', () => {
    const tree = open();
    expect(tree.walkFiles('/etc/kubernetes/pki/up')).toEqual(['/etc/kubernetes/pki/up/admin.conf', '/etc/kubernetes/pki/up/pki/ca.crt', '/etc/kubernetes/pki/up/pki/etcd/ca.crt', '/etc/kubernetes/pki/up/pki/extra/extra.crt']);
    expect(tree.walkFiles('/opt/certs/back')).toEqual(['/opt/certs/back/ca.crt', '/opt/certs/back/etcd/ca.crt', '/opt/certs/back/extra/extra.crt']);
    expect(tree.walkFiles('/etc/kubernetes/pki/nope')).toEqual([]);
    expect(tree.walkFiles('/etc/kubernetes/admin.conf')).toEqual([]);
  });
});
