/**
 * Live host: `kdiff scan /` as a user who cannot read the private keys. CI runs as root, where
 * chmod 000 does not stop reads, so the EACCES path is driven through an injected backend that
 * answers as the kernel would; the real chmod test runs too when this process is not root.
 */
import { cpSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTree, type RawBackend, type RawStat } from '../../src/source/file-tree.js';
import { DirectoryBackend } from '../../src/source/directory.js';
import { openDirectory } from '../../src/source/open.js';
import { scanTree } from '../../src/scan/index.js';
import { BASE_NODE, chmodBlocksReads, makeUnreadable } from '../helpers/hostile.js';

/** A directory backend on which reading some files fails with EACCES, as for a non-root user. */
class DeniedBackend implements RawBackend {
  constructor(
    private readonly inner: DirectoryBackend,
    private readonly denied: (segments: readonly string[]) => boolean,
  ) {}
  lstat(s: readonly string[]): RawStat | null | { error: string } {
    return this.inner.lstat(s);
  }
  readlink(s: readonly string[]): string | null {
    return this.inner.readlink(s);
  }
  read(s: readonly string[], max?: number): Buffer | { error: string } {
    return this.denied(s) ? { error: 'permission denied' } : this.inner.read(s, max);
  }
  list(s: readonly string[], max?: number): string[] | { error: string } {
    return this.denied(s) ? { error: 'permission denied' } : this.inner.list(s, max);
  }
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kdiff-live-'));
  cpSync(BASE_NODE, root, { recursive: true });
});
afterAll(() => {
  chmodSync(join(root, 'etc/kubernetes/pki/ca.key'), 0o600);
  rmSync(root, { recursive: true, force: true });
});

function readAll(tree: FileTree): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const p of tree.walkFiles('/')) out.set(p, tree.readText(p));
  return out;
}

describe('a live host where the keys are unreadable', () => {
  it('reports one finding per unreadable file and reads the rest', () => {
    const isKey = (s: readonly string[]) => s.length > 0 && s[s.length - 1].endsWith('.key');
    const tree = new FileTree(root, new DeniedBackend(new DirectoryBackend(root), isKey));
    const texts = readAll(tree);
    const keys = [...texts.keys()].filter((p) => p.endsWith('.key'));
    expect(keys.length).toBeGreaterThanOrEqual(8);
    const unreadable = tree.findings().filter((f) => f.code === 'unreadable');
    expect(unreadable.map((f) => f.path).sort()).toEqual(keys.sort());
    for (const f of unreadable) expect(f.message).toBe(`Could not read ${f.path}: permission denied.`);
    for (const k of keys) expect(texts.get(k)).toBeNull();
    expect(texts.get('/etc/kubernetes/manifests/kube-apiserver.yaml')).toContain('kube-apiserver');
    expect(texts.get('/etc/kubernetes/pki/ca.crt')).not.toBeNull();
    // and the findings reach the model
    const model = scanTree(tree);
    expect(model.findings.filter((f) => f.code === 'unreadable')).toHaveLength(keys.length);
  });

  it('reports an unreadable directory once and reads its siblings', () => {
    const isPki = (s: readonly string[]) => s.join('/') === 'etc/kubernetes/pki/etcd';
    const tree = new FileTree(root, new DeniedBackend(new DirectoryBackend(root), isPki));
    const texts = readAll(tree);
    expect(tree.findings()).toEqual([
      { severity: 'warning', code: 'unreadable', path: '/etc/kubernetes/pki/etcd', message: 'Could not list /etc/kubernetes/pki/etcd: permission denied.' },
    ]);
    expect(texts.get('/etc/kubernetes/pki/ca.crt')).not.toBeNull();
  });

  it('with a real chmod 000: unreadable for a normal user, read anyway by root', () => {
    const key = join(root, 'etc/kubernetes/pki/ca.key');
    makeUnreadable(key);
    const { tree } = openDirectory(root);
    const text = tree.readText('/etc/kubernetes/pki/ca.key');
    if (chmodBlocksReads()) {
      expect(text).toBeNull();
      expect(tree.findings()).toEqual([expect.objectContaining({ code: 'unreadable', path: '/etc/kubernetes/pki/ca.key' })]);
    } else {
      // root: the kernel lets the read through, so the injected backend above is what covers EACCES
      expect(text).not.toBeNull();
      expect(tree.findings()).toEqual([]);
    }
  });
});
