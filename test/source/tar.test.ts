import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDirectory, InputError } from '../../src/source/open.js';
import { openTar, openTarBuffer, readTar, sniffArchive, normalizeEntryName } from '../../src/source/tar.js';
import type { FileTree } from '../../src/source/file-tree.js';
import { BASE_NODE, CANARY, buildHostileTarball, entryCountBomb, hostileTarEntries } from '../helpers/hostile.js';
import { tarArchive, tgz } from '../helpers/tar-writer.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kdiff-tar-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function contents(tree: FileTree): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const p of tree.walkFiles('/')) out[p] = tree.readText(p);
  return out;
}

describe('a node archive made by GNU tar', () => {
  it('answers as the unpacked directory does (gzip detected by its bytes, not its name)', async () => {
    const archive = join(tmp, 'node.bin');
    execFileSync('tar', ['czf', archive, '-C', BASE_NODE, '.']);
    const fromTar = await openTar(archive);
    const fromDir = openDirectory(BASE_NODE);
    expect(fromTar.kind).toBe('root');
    const t = contents(fromTar.tree);
    expect(Object.keys(t).length).toBeGreaterThan(20);
    expect(t).toEqual(contents(fromDir.tree));
    expect(fromTar.tree.findings()).toEqual([]);
  });

  it('reads a plain .tar, unwrapping the one folder everything sits in', async () => {
    const archive = join(tmp, 'node.tar');
    execFileSync('tar', ['cf', archive, '-C', 'fixtures/corpus/kubeadm-maxxmoney', 'v1.16.2-ddd99ec']);
    const { tree, kind } = await openTar(archive);
    expect(kind).toBe('root');
    expect(tree.readText('/etc/kubernetes/manifests/kube-apiserver.yaml')).toContain('kube-apiserver');
  });

  it('mounts an archive of /etc/kubernetes at /etc/kubernetes, and one of a unit dir at /etc/systemd/system', async () => {
    const k = join(tmp, 'etc-kubernetes.tgz');
    execFileSync('tar', ['czf', k, '-C', join(BASE_NODE, 'etc/kubernetes'), '.']);
    const a = await openTar(k);
    expect(a.kind).toBe('etc-kubernetes');
    expect(a.tree.readText('/etc/kubernetes/manifests/etcd.yaml')).toContain('etcd');
    const u = join(tmp, 'units.tgz');
    execFileSync('tar', ['czf', u, '-C', 'fixtures/corpus/kubernetes-release/krel-latest-f618b2a/rpm/usr/lib/systemd/system', '.']);
    const b = await openTar(u);
    expect(b.kind).toBe('systemd-units');
    expect(b.tree.readText('/etc/systemd/system/kubelet.service')).toContain('ExecStart');
  });

  it('keeps symlinks as links, resolved inside the archive, and hard links with their target content', async () => {
    const { tree } = await openTarBuffer(
      tarArchive([
        { name: 'var/lib/kubelet/pki/kubelet-client-2024.pem', data: 'CLIENT' },
        { name: 'var/lib/kubelet/pki/kubelet-client-current.pem', type: 'symlink', linkpath: '/var/lib/kubelet/pki/kubelet-client-2024.pem' },
        { name: 'etc/kubernetes/pki/ca.crt', data: 'CA' },
        { name: 'etc/kubernetes/pki/ca-copy.crt', type: 'hardlink', linkpath: './etc/kubernetes/pki/ca.crt' },
      ]),
    );
    expect(tree.readText('/var/lib/kubelet/pki/kubelet-client-current.pem')).toBe('CLIENT');
    expect(tree.readLink('/var/lib/kubelet/pki/kubelet-client-current.pem')).toBe('/var/lib/kubelet/pki/kubelet-client-2024.pem');
    expect(tree.readText('/etc/kubernetes/pki/ca-copy.crt')).toBe('CA');
  });
});

describe('the hostile tarball', () => {
  let tree: FileTree;
  let ms: number;
  beforeAll(async () => {
    const start = Date.now();
    tree = (await openTarBuffer(buildHostileTarball(), { label: 'hostile.tar' })).tree;
    for (const p of tree.walkFiles('/')) tree.readText(p);
    for (const p of ['/etc/kubernetes/admin.conf', '/etc/kubernetes/escape.conf', '/etc/kubernetes/loop-a', '/etc/kubernetes/dev-null', '/etc/passwd', '/outside/passwd', '/climb/passwd', '/etc/shadow']) {
      tree.readText(p);
    }
    ms = Date.now() - start;
  });

  const codes = (): string[] => tree.findings().map((f) => f.code);

  it('is read fast, and nothing outside it (nor any refused entry) is ever read', () => {
    expect(ms).toBeLessThan(3000);
    expect(JSON.stringify(tree.findings())).not.toContain(CANARY);
    for (const p of tree.walkFiles('/')) expect(tree.readText(p) ?? '').not.toContain(CANARY);
    expect(tree.readText('/etc/shadow')).toBeNull();
    expect(tree.readText('/outside/passwd')).toBeNull();
    expect(tree.readText('/climb/passwd')).toBeNull();
  });

  it('confines names: ./ and absolute names read relative to the root, names that climb out refused', () => {
    expect(tree.readText('/etc/kubernetes/manifests/kube-scheduler.yaml')).toContain('--leader-elect=true');
    expect(tree.readText('/etc/kubernetes/pki/ca.crt')).toBe('CA-CERT');
    const escapes = tree.findings().find((f) => f.code === 'archive-name-escapes')!;
    expect(escapes.message).toMatch(/climb out of the archive's root were not read \(3: /);
    expect(tree.findings().find((f) => f.code === 'archive-absolute-name')?.severity).toBe('info');
  });

  it('resolves links inside the archive and refuses the ones that leave it', () => {
    expect(tree.readText('/etc/kubernetes/admin.conf')).toBeNull();
    expect(tree.findings().find((f) => f.path === '/etc/kubernetes/escape.conf')?.code).toBe('symlink-escapes-root');
    expect(tree.findings().find((f) => f.path === '/etc/kubernetes/loop-a')?.code).toBe('symlink-loop');
    expect(tree.readText('/etc/kubernetes/pki/ca-hard.crt')).toBe('CA-CERT');
    expect(codes()).toEqual(expect.arrayContaining(['archive-hardlink-invalid', 'archive-hardlink-missing']));
  });

  it('keeps devices and FIFOs as special files, never read', () => {
    expect(tree.readText('/etc/kubernetes/dev-null')).toBeNull();
    const special = tree.findings().filter((f) => f.code === 'special-file').map((f) => f.path);
    expect(special).toEqual(expect.arrayContaining(['/etc/kubernetes/dev-null', '/etc/kubernetes/sda', '/etc/kubernetes/manifests/fifo.yaml']));
    expect(codes()).toContain('archive-unsupported-entry');
  });

  it('records a file over the size limit with its size, not its content', () => {
    expect(tree.size('/etc/kubernetes/manifests/huge.yaml')).toBe(5 * 1024 * 1024);
    expect(tree.findings().find((f) => f.path === '/etc/kubernetes/manifests/huge.yaml')?.code).toBe('file-too-large');
    expect(tree.findings().find((f) => f.path === '/etc/kubernetes/manifests/garbage.yaml')?.code).toBe('binary-file');
  });

  it('stops at the size bomb with a finding, keeping what came before', () => {
    const f = tree.findings().find((x) => x.code === 'archive-too-large')!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain('size-bomb');
    expect(tree.readText('/etc/kubernetes/' + 'long/'.repeat(30) + 'name.conf')).toBe('long-name');
  });

  it('writes nothing to disk', async () => {
    const cwd = process.cwd();
    const empty = mkdtempSync(join(tmpdir(), 'kdiff-cwd-'));
    try {
      process.chdir(empty);
      await openTarBuffer(buildHostileTarball());
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('bounds and broken archives', () => {
  it('stops an entry-count bomb at the limit, in bounded time', async () => {
    const start = Date.now();
    const r = await readTar(entryCountBomb(50_100));
    expect(Date.now() - start).toBeLessThan(5000);
    expect(r.findings.map((f) => f.code)).toContain('archive-too-many-entries');
    expect(r.backend.list(['etc', 'kubernetes'])).toHaveLength(50_000);
  });

  it('honours lower limits given by the caller', async () => {
    const r = await readTar(entryCountBomb(20), { maxEntries: 10 });
    expect(r.findings.find((f) => f.code === 'archive-too-many-entries')?.message).toContain('more than 10 entries');
  });

  it('stops a gzip bomb', async () => {
    const bomb = gzipSync(tarArchive([{ name: 'etc/zeros', data: Buffer.alloc(64 * 1024 * 1024) }]), { level: 9 });
    const start = Date.now();
    const r = await readTar(bomb, { maxTotalBytes: 16 * 1024 * 1024 });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(r.findings.map((f) => f.code)).toContain('archive-too-large');
  });

  it('reads what comes before a cut, with a finding', async () => {
    const full = tarArchive([
      { name: 'etc/kubernetes/a.conf', data: 'A' },
      { name: 'etc/kubernetes/b.conf', data: 'B'.repeat(3000) },
    ]);
    const cut = full.subarray(0, 512 + 512 + 512 + 1000);
    const { tree } = await openTarBuffer(cut);
    expect(tree.readText('/etc/kubernetes/a.conf')).toBe('A');
    expect(tree.readText('/etc/kubernetes/b.conf')).toBeNull();
    expect(tree.findings().map((f) => f.code)).toEqual(expect.arrayContaining(['archive-truncated']));
    const gz = gzipSync(full);
    const gzCut = await openTarBuffer(gz.subarray(0, gz.length - 30));
    expect(gzCut.tree.readText('/etc/kubernetes/a.conf')).toBe('A');
    expect(gzCut.tree.findings().map((f) => f.code)).toContain('archive-truncated');
  });

  it('reports a damaged header and reads on', async () => {
    const a = tarArchive([{ name: 'etc/one', data: '1' }]).subarray(0, 1024);
    const bad = Buffer.from(tarArchive([{ name: 'etc/two', data: '2' }]).subarray(0, 1024));
    bad[150] = 0x39; // checksum no longer matches
    const c = tarArchive([{ name: 'etc/three', data: '3' }]);
    const { tree } = await openTarBuffer(Buffer.concat([a, bad, c]));
    expect(tree.readText('/etc/one')).toBe('1');
    expect(tree.readText('/etc/three')).toBe('3');
    expect(tree.findings().map((f) => f.code)).toContain('archive-damaged');
  });

  it('is an InputError when nothing at all can be read', async () => {
    const garbage = join(tmp, 'garbage.tgz');
    writeFileSync(garbage, Buffer.from('this is not an archive at all'.repeat(40)));
    await expect(openTar(garbage)).rejects.toThrow(InputError);
    await expect(openTarBuffer(Buffer.alloc(0))).rejects.toThrow(InputError);
    await expect(openTarBuffer(gzipSync(Buffer.from('not a tar')).subarray(0, 10))).rejects.toThrow(InputError);
    await expect(openTar(join(tmp, 'missing.tgz'))).rejects.toThrow(InputError);
  });

  it('sniffs archives by their bytes', () => {
    expect(sniffArchive(tgz([{ name: 'a', data: 'x' }]))).toBe('gzip');
    expect(sniffArchive(tarArchive([{ name: 'a', data: 'x' }]))).toBe('tar');
    expect(sniffArchive(Buffer.from('{"kdiff":"snapshot"}'))).toBeNull();
    expect(sniffArchive(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toBe('zstd');
  });

  it('normalizes entry names', () => {
    expect(normalizeEntryName('./etc/kubernetes/')).toEqual({ ok: true, segments: ['etc', 'kubernetes'], absolute: false });
    expect(normalizeEntryName('/etc/x')).toEqual({ ok: true, segments: ['etc', 'x'], absolute: true });
    expect(normalizeEntryName('etc/../../x')).toEqual({ ok: false, code: 'escapes' });
    expect(normalizeEntryName('a/'.repeat(100))).toEqual({ ok: false, code: 'too-deep' });
    expect(normalizeEntryName('a'.repeat(5000))).toEqual({ ok: false, code: 'too-long' });
  });

  it('reads a tarball streamed from a file the same as from memory', async () => {
    const p = join(tmp, 'hostile.tar');
    writeFileSync(p, tarArchive(hostileTarEntries()));
    const fromFile = await openTar(p, { label: 'x' });
    const fromMem = await openTarBuffer(tarArchive(hostileTarEntries()), { label: 'x' });
    expect(contents(fromFile.tree)).toEqual(contents(fromMem.tree));
    expect(fromFile.tree.findings()).toEqual(fromMem.tree.findings());
    copyFileSync(p, join(tmp, 'copy.tar'));
  });
});
