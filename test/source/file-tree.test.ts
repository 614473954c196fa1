import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openDirectory, detectDirectoryKind, InputError } from '../../src/source/open.js';
import { FileTree } from '../../src/source/file-tree.js';
import { MemoryBackend } from '../../src/source/memory.js';

let dir: string;
let outside: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdiff-tree-'));
  outside = mkdtempSync(join(tmpdir(), 'kdiff-outside-'));
  writeFileSync(join(outside, 'canary'), 'CANARY-OUTSIDE');
  mkdirSync(join(dir, 'etc/kubernetes/pki'), { recursive: true });
  mkdirSync(join(dir, 'var/lib/kubelet/pki'), { recursive: true });
  writeFileSync(join(dir, 'etc/kubernetes/pki/ca.crt'), 'CA');
  writeFileSync(join(dir, 'var/lib/kubelet/pki/kubelet-client-2024.pem'), 'CLIENT');
  // kubeadm's absolute link: must resolve inside the tree, not on the host
  symlinkSync('/var/lib/kubelet/pki/kubelet-client-2024.pem', join(dir, 'var/lib/kubelet/pki/kubelet-client-current.pem'));
  symlinkSync('../../../../../../../../' + outside + '/canary', join(dir, 'etc/kubernetes/escape'));
  symlinkSync('loop-b', join(dir, 'etc/kubernetes/loop-a'));
  symlinkSync('loop-a', join(dir, 'etc/kubernetes/loop-b'));
  symlinkSync('pki/ca.crt', join(dir, 'etc/kubernetes/relative-ok'));
  execFileSync('mkfifo', [join(dir, 'etc/kubernetes/fifo')]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('FileTree over a directory', () => {
  it('resolves an absolute symlink against the tree root', () => {
    const { tree, kind } = openDirectory(dir);
    expect(kind).toBe('root');
    expect(tree.readText('/var/lib/kubelet/pki/kubelet-client-current.pem')).toBe('CLIENT');
    expect(tree.realPath('/var/lib/kubelet/pki/kubelet-client-current.pem')).toBe('/var/lib/kubelet/pki/kubelet-client-2024.pem');
    expect(tree.readLink('/var/lib/kubelet/pki/kubelet-client-current.pem')).toBe('/var/lib/kubelet/pki/kubelet-client-2024.pem');
  });

  it('follows a relative link inside the tree', () => {
    const { tree } = openDirectory(dir);
    expect(tree.readText('/etc/kubernetes/relative-ok')).toBe('CA');
  });

  it('refuses a link that climbs out, and never reads outside', () => {
    const { tree } = openDirectory(dir);
    expect(tree.readText('/etc/kubernetes/escape')).toBeNull();
    const f = tree.findings().find((x) => x.code === 'symlink-escapes-root');
    expect(f?.path).toBe('/etc/kubernetes/escape');
    expect(JSON.stringify(tree.findings())).not.toContain('CANARY');
  });

  it('refuses a link loop with a finding', () => {
    const { tree } = openDirectory(dir);
    expect(tree.readText('/etc/kubernetes/loop-a')).toBeNull();
    expect(tree.findings().map((f) => f.code)).toContain('symlink-loop');
  });

  it('never opens a FIFO', () => {
    const { tree } = openDirectory(dir);
    expect(tree.readText('/etc/kubernetes/fifo')).toBeNull();
    expect(tree.findings().find((f) => f.code === 'special-file')?.path).toBe('/etc/kubernetes/fifo');
  });

  it('walks files below a directory, sorted, without special files', () => {
    const { tree } = openDirectory(dir);
    expect(tree.walkFiles('/etc/kubernetes')).toEqual(['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/relative-ok']);
  });

  it('mounts an /etc/kubernetes copy at /etc/kubernetes', () => {
    const { tree, kind } = openDirectory(join(dir, 'etc/kubernetes'));
    expect(kind).toBe('etc-kubernetes');
    expect(tree.readText('/etc/kubernetes/pki/ca.crt')).toBe('CA');
    expect(tree.list('/etc')).toEqual(['kubernetes']);
  });

  it('is an InputError when the path does not exist', () => {
    expect(() => openDirectory(join(dir, 'nope'))).toThrow(InputError);
  });
});

describe('detectDirectoryKind', () => {
  it.each([
    [['etc', 'var'], 'root'],
    [['manifests', 'pki', 'admin.conf'], 'etc-kubernetes'],
    [['kubelet.service', 'multi-user.target.wants'], 'systemd-units'],
  ])('%j is %s', (names, kind) => {
    expect(detectDirectoryKind(names)).toBe(kind);
  });
});

describe('FileTree over memory', () => {
  it('enforces the file size limit with a finding', () => {
    const mem = new MemoryBackend();
    mem.add('/etc/big', { kind: 'file', data: Buffer.alloc(2048, 'a') });
    const tree = new FileTree('mem', mem, { maxFileBytes: 1024 });
    expect(tree.readText('/etc/big')).toBeNull();
    expect(tree.findings()[0]).toMatchObject({ code: 'file-too-large', path: '/etc/big' });
  });
});
