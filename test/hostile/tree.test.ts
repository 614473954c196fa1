import { readFileSync } from 'node:fs';
import { openDirectory } from '../../src/source/open.js';
import type { FileTree } from '../../src/source/file-tree.js';
import { buildHostileTree, CANARY, originOf, type HostileTree } from '../helpers/hostile.js';

let h: HostileTree;
let tree: FileTree;
let texts: Map<string, string | null>;
let elapsed: number;

/** Reads every file a walk finds, the way a scanner that trusts nothing would. */
function readEverything(t: FileTree): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const p of t.walkFiles('/')) out.set(p, t.readText(p));
  return out;
}

beforeAll(async () => {
  h = await buildHostileTree();
  const start = Date.now();
  tree = openDirectory(h.root).tree;
  texts = readEverything(tree);
  // paths a scanner is pointed at by name, walk or not
  for (const p of ['/etc/kubernetes/pki/escape.key', '/etc/kubernetes/pki/absolute-out.crt', '/etc/kubernetes/super-admin.conf',
    '/etc/kubernetes/loop-a.conf', '/etc/kubernetes/self.conf', '/etc/kubernetes/manifests/fifo.yaml',
    '/etc/kubernetes/manifests/sock.yaml', '/etc/kubernetes/manifests/escape-dir/passwd', '/etc/passwd']) {
    texts.set(p, tree.readText(p));
  }
  elapsed = Date.now() - start;
});

afterAll(() => h.cleanup());

function codesAt(path: string): string[] {
  return tree.findings().filter((f) => f.path === path).map((f) => f.code);
}

describe('a hostile tree on disk', () => {
  it('is read within a few seconds', () => {
    expect(elapsed).toBeLessThan(5000);
  });

  it('never reads the canary outside the tree, nor the host /etc/passwd', () => {
    const everything = JSON.stringify([...texts.entries()]) + JSON.stringify(tree.findings());
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain('root:x:0:0');
    expect(texts.get('/etc/kubernetes/pki/absolute-out.crt')).toBeNull();
    expect(texts.get('/etc/kubernetes/super-admin.conf')).toBeNull();
    expect(texts.get('/etc/passwd')).toBeNull();
  });

  it('refuses links that climb out, and loops, with findings', () => {
    expect(codesAt('/etc/kubernetes/pki/escape.key')).toContain('symlink-escapes-root');
    expect(codesAt('/etc/kubernetes/manifests/escape-dir')).toContain('symlink-escapes-root');
    expect(codesAt('/etc/kubernetes/loop-a.conf')).toContain('symlink-loop');
    expect(codesAt('/etc/kubernetes/self.conf')).toContain('symlink-loop');
  });

  it('never opens a FIFO or a socket', () => {
    expect(texts.get('/etc/kubernetes/manifests/fifo.yaml')).toBeNull();
    expect(codesAt('/etc/kubernetes/manifests/fifo.yaml')).toContain('special-file');
    expect(h.socket).toBe(true);
    expect(codesAt('/etc/kubernetes/manifests/sock.yaml')).toContain('special-file');
  });

  it('reports bad content, with the line where there is one', () => {
    expect(codesAt('/etc/kubernetes/manifests/huge.yaml')).toEqual(['file-too-large']);
    expect(codesAt('/etc/kubernetes/manifests/garbage.yaml')).toEqual(['binary-file']);
    expect(texts.get('/etc/kubernetes/manifests/garbage.yaml')).toBeNull();
    const utf = tree.findings().find((f) => f.code === 'invalid-utf8');
    expect(utf).toMatchObject({ path: '/etc/kubernetes/manifests/latin1.yaml', line: 3 });
    expect(texts.get('/etc/kubernetes/manifests/latin1.yaml')).toContain('name: latin1');
    expect(tree.findings().find((f) => f.code === 'line-too-long')).toMatchObject({ path: '/var/lib/kubelet/config.yaml', line: 3 });
    expect(codesAt('/etc/kubernetes/manifests')).toContain('unsafe-file-name');
    expect(tree.findings().some((f) => f.code === 'depth-limit' && f.path!.startsWith('/etc/kubernetes/deep/'))).toBe(true);
  });

  it('keeps control characters of a file name out of every message', () => {
    // eslint-disable-next-line no-control-regex
    expect(JSON.stringify(tree.findings().map((f) => f.message))).not.toMatch(/\u001b/);
    expect([...texts.keys()].some((p) => p.includes('\u001b'))).toBe(false);
  });

  it('gives text that is merely odd to the scanners (smart quotes, half a document, a million continuations)', () => {
    expect(texts.get('/etc/kubernetes/manifests/smart.yaml')).toContain('\u201ckube-proxy\u201d');
    expect(texts.get('/etc/kubernetes/manifests/half.yaml')).toMatch(/- kube-$/);
    expect(texts.get('/etc/systemd/system/kube-apiserver.service')!.split('\n').length).toBeGreaterThan(1_000_000);
  });

  it('reads the rest of the node intact', () => {
    for (const p of h.intact.filter((x) => !x.startsWith('/var/lib/kubelet/pki'))) {
      expect(texts.get(p)).toBe(readFileSync(originOf(p), 'utf8'));
    }
    expect(texts.get('/var/lib/kubelet/pki/kubelet-client-current.pem')).toBe(readFileSync(originOf('/etc/kubernetes/pki/apiserver-kubelet-client.crt'), 'utf8'));
  });

  it('gives the same findings on a second read (deterministic)', () => {
    const again = openDirectory(h.root).tree;
    readEverything(again);
    for (const p of texts.keys()) again.readText(p);
    expect(again.findings()).toEqual(tree.findings());
  });
});
