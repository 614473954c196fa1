/**
 * Builds hostile node trees for tests: on disk (links out, loops, a FIFO, a socket, bombs, garbage)
 * and as a tarball (`../` names, absolute names, links out, hard links, devices, bombs).
 * A canary file sits OUTSIDE the tree: its content must never appear in any output.
 * The rest of the node is a real kubeadm v1.16 control plane from the corpus (manifests), with the
 * seed kubeadm master's real PKI, kubeconfigs and kubelet (unit, drop-in, config) laid over it: all
 * of it must survive intact.
 */
import { cpSync, readFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, ftruncateSync, closeSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { X509Certificate } from 'node:crypto';
import { dirname, join } from 'node:path';
import { tarArchive, type TarEntrySpec } from './tar-writer.js';

/** Content of the canary outside every hostile tree. */
export const CANARY = 'KDIFF-CANARY-4f1e8b2d-never-print-me';
/** The real node the hostile tree is built on (kubeadm v1.16 control plane, corpus/SOURCES.md). */
export const BASE_NODE = 'fixtures/corpus/kubeadm-maxxmoney/v1.16.2-ddd99ec';
/** Where the real certificates, keys, kubeconfigs and the kubelet come from (the corpus dump has them REDACTED). */
export const PKI_NODE = 'fixtures/seed-kubeadm-master';
/** Laid over BASE_NODE from PKI_NODE. */
export const OVERLAID = ['etc/kubernetes/pki', 'etc/kubernetes/admin.conf', 'etc/kubernetes/controller-manager.conf', 'etc/kubernetes/scheduler.conf', 'etc/kubernetes/kubelet.conf', 'etc/systemd/system/kubelet.service.d', 'lib/systemd/system/kubelet.service', 'var/lib/kubelet/kubeadm-flags.env'];

/** The repository file a node path of the hostile tree was copied from. */
export function originOf(nodePath: string): string {
  const rel = nodePath.replace(/^\//, '');
  return OVERLAID.some((o) => rel === o || rel.startsWith(o + '/')) ? join(PKI_NODE, rel) : join(BASE_NODE, rel);
}

/** A billion-laughs manifest: nine levels of ten aliases each. */
export const YAML_BOMB = [
  'apiVersion: v1',
  'kind: Pod',
  'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]`),
  'spec:',
  '  containers:',
  '  - name: bomb',
  '    command: *a8',
  '',
].join('\n');

/** Deterministic bytes (no Math.random: tests stay reproducible). */
export function garbage(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  b[0] = 0; // sure to hold a NUL
  return b;
}

export interface HostileTree {
  /** The node's root directory. */
  root: string;
  /** A directory outside the root holding the canary. */
  outside: string;
  canaryPath: string;
  /** Node paths of the files that are fine and must still be read. */
  intact: string[];
  /** Whether a UNIX socket could be made. */
  socket: boolean;
  cleanup: () => void;
}

function write(root: string, nodePath: string, data: string | Buffer): void {
  const p = join(root, nodePath);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

function link(root: string, nodePath: string, target: string): void {
  const p = join(root, nodePath);
  mkdirSync(dirname(p), { recursive: true });
  symlinkSync(target, p);
}

async function makeSocket(path: string): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.on('error', () => resolve(null));
    // Closing would unlink the socket file: the server stays bound until cleanup().
    server.listen(path, () => {
      server.unref(); // a test that fails before cleanup() must not keep Jest alive
      resolve(server);
    });
  });
}

/** The hostile tree on disk. Call cleanup() when done. */
export async function buildHostileTree(): Promise<HostileTree> {
  const root = mkdtempSync(join(tmpdir(), 'kdiff-hostile-'));
  const outside = mkdtempSync(join(tmpdir(), 'kdiff-outside-'));
  const canaryPath = join(outside, 'passwd');
  writeFileSync(canaryPath, `${CANARY}\nroot:x:0:0:root:/root:/bin/bash\n`);
  cpSync(BASE_NODE, root, { recursive: true });
  for (const o of OVERLAID) {
    rmSync(join(root, o), { recursive: true, force: true });
    cpSync(join(PKI_NODE, o), join(root, o), { recursive: true });
  }
  const m = '/etc/kubernetes/manifests';

  // Links: out of the tree (relative and absolute), to the host's /etc/passwd, loops, a dir loop.
  link(root, '/etc/kubernetes/pki/escape.key', '../../../../../../../../../..' + canaryPath);
  link(root, '/etc/kubernetes/pki/absolute-out.crt', canaryPath);
  link(root, '/etc/kubernetes/super-admin.conf', '/etc/passwd');
  link(root, '/etc/kubernetes/loop-a.conf', 'loop-b.conf');
  link(root, '/etc/kubernetes/loop-b.conf', 'loop-a.conf');
  link(root, '/etc/kubernetes/self.conf', 'self.conf');
  link(root, '/etc/kubernetes/pki/dirloop', '..');
  link(root, `${m}/escape-dir`, '../../../../../../..' + outside);
  link(root, '/var/lib/kubelet/pki/kubelet-client-current.pem', '/etc/kubernetes/pki/apiserver-kubelet-client.crt');

  // Special files.
  execFileSync('mkfifo', [join(root, `${m}/fifo.yaml`)]);
  const server = await makeSocket(join(root, `${m}/sock.yaml`));

  // Bad content.
  write(root, `${m}/bomb.yaml`, YAML_BOMB);
  write(root, `${m}/half.yaml`, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: half\nspec:\n  containers:\n  - name: half\n    command:\n    - kube-');
  // Cut off inside a flow sequence: no YAML parser can read it.
  write(root, `${m}/cut.yaml`, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-proxy-cut\nspec:\n  containers:\n  - name: kube-proxy\n    command: ["kube-proxy", "--config=/var/lib/kube-proxy/');
  write(root, `${m}/smart.yaml`, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: smart\nspec:\n  containers:\n  - name: smart\n    command: [\u201ckube-proxy\u201d, \u201c--v=2\u201d]\n');
  write(root, `${m}/garbage.yaml`, garbage(4096));
  write(root, `${m}/latin1.yaml`, Buffer.concat([Buffer.from('apiVersion: v1\nkind: Pod\n# caf'), Buffer.from([0xe9]), Buffer.from('\nmetadata:\n  name: latin1\n')]));
  write(root, `${m}/evil\u001b[2Jname.yaml`, 'apiVersion: v1\nkind: Pod\n');
  const caPem = readFileSync(join(PKI_NODE, 'etc/kubernetes/pki/ca.crt'), 'utf8');
  write(root, '/etc/kubernetes/pki/der.crt', new X509Certificate(caPem).raw);
  write(root, '/etc/kubernetes/pki/empty.crt', '');
  write(root, '/etc/kubernetes/pki/key-as-cert.crt', readFileSync(join(PKI_NODE, 'etc/kubernetes/pki/front-proxy-client.key')));
  write(root, '/etc/kubernetes/pki/truncated.crt', '-----BEGIN CERTIFICATE-----\nMIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n');
  write(root, '/var/lib/kubelet/config.yaml', `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDomain: ${'x'.repeat(1024 * 1024 + 10)}\n`);
  // A unit of a million continuation lines (2 MB: under the size limit, so the systemd parser sees it).
  write(root, '/etc/systemd/system/kube-apiserver.service', `[Service]\nExecStart=/usr/local/bin/kube-apiserver \\\n${'\\\n'.repeat(1_000_000)}  --v=2\n`);

  // A 50 MB file (sparse: costs no disk) and deep nesting.
  const huge = join(root, `${m}/huge.yaml`);
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 50 * 1024 * 1024);
  closeSync(fd);
  write(root, '/etc/kubernetes/deep/' + Array(40).fill('d').join('/') + '/deep.conf', 'deep');

  const intact = [
    `${m}/kube-apiserver.yaml`,
    `${m}/kube-controller-manager.yaml`,
    `${m}/kube-scheduler.yaml`,
    `${m}/etcd.yaml`,
    '/etc/kubernetes/pki/ca.crt',
    '/etc/kubernetes/pki/apiserver.crt',
    '/etc/kubernetes/admin.conf',
    '/etc/kubernetes/scheduler.conf',
    '/etc/kubernetes/pki/etcd/server.crt',
    '/etc/kubernetes/pki/sa.pub',
    '/lib/systemd/system/kubelet.service',
    '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    '/var/lib/kubelet/pki/kubelet-client-current.pem',
  ];
  return {
    root,
    outside,
    canaryPath,
    intact,
    socket: server !== null,
    cleanup: () => {
      server?.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    },
  };
}

/** Makes a file unreadable to a non-root user (root reads it anyway: see `chmodBlocksReads`). */
export function makeUnreadable(path: string): void {
  chmodSync(path, 0o000);
}

/** True when chmod 000 really stops this process from reading (false as root, as in CI containers). */
export function chmodBlocksReads(): boolean {
  return typeof process.getuid === 'function' && process.getuid() !== 0;
}

/** The entries of the hostile tarball, before the bombs. */
export function hostileTarEntries(): TarEntrySpec[] {
  const good = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler\nspec:\n  containers:\n  - name: kube-scheduler\n    command:\n    - kube-scheduler\n    - --leader-elect=true\n';
  return [
    { name: './etc/', type: 'dir' },
    { name: './etc/kubernetes/manifests/kube-scheduler.yaml', data: good },
    { name: '/etc/kubernetes/pki/ca.crt', data: 'CA-CERT' },
    { name: '../../outside/passwd', data: CANARY },
    { name: 'etc/../../climb/passwd', data: CANARY },
    { name: 'etc/kubernetes/../../../etc/shadow', data: CANARY },
    { name: 'etc/kubernetes/admin.conf', type: 'symlink', linkpath: '/etc/passwd' },
    { name: 'etc/kubernetes/escape.conf', type: 'symlink', linkpath: '../../../../outside/passwd' },
    { name: 'etc/kubernetes/loop-a', type: 'symlink', linkpath: 'loop-b' },
    { name: 'etc/kubernetes/loop-b', type: 'symlink', linkpath: 'loop-a' },
    { name: 'etc/kubernetes/pki/ca-hard.crt', type: 'hardlink', linkpath: 'etc/kubernetes/pki/ca.crt' },
    { name: 'etc/kubernetes/pki/shadow-hard', type: 'hardlink', linkpath: '../../../etc/shadow' },
    { name: 'etc/kubernetes/pki/missing-hard', type: 'hardlink', linkpath: 'etc/kubernetes/pki/nowhere.crt' },
    { name: 'etc/kubernetes/dev-null', type: 'char' },
    { name: 'etc/kubernetes/sda', type: 'block' },
    { name: 'etc/kubernetes/manifests/fifo.yaml', type: 'fifo' },
    { name: 'etc/kubernetes/weird', type: 'unknown', data: 'x' },
    { name: 'etc/kubernetes/manifests/garbage.yaml', data: garbage(2048) },
    { name: 'etc/kubernetes/manifests/bomb.yaml', data: YAML_BOMB },
    { name: 'etc/kubernetes/manifests/huge.yaml', data: Buffer.alloc(5 * 1024 * 1024, 'a') },
    { name: 'etc/kubernetes/' + 'long/'.repeat(30) + 'name.conf', data: 'long-name' },
  ];
}

/** The hostile tarball: every trick above, then a size bomb (a 300 GB entry with no data) that must stop reading. */
export function buildHostileTarball(): Buffer {
  return tarArchive([...hostileTarEntries(), { name: 'etc/kubernetes/size-bomb', declaredSize: 300 * 1024 ** 3 }], false);
}

/** An archive of `n` tiny entries (an entry-count bomb). */
export function entryCountBomb(n: number): Buffer {
  const entries: TarEntrySpec[] = [];
  for (let i = 0; i < n; i++) entries.push({ name: `etc/kubernetes/f${i}` });
  return tarArchive(entries);
}
