/**
 * The whole scan over hostile input, as users run it: scanTree, loadNode (src/scan/node-input.ts)
 * and the CLI. It finishes fast, never throws, never leaks the canary, reports every bad file with
 * its path (and line where there is one), and still reports the rest of the node: components,
 * flags, certificates and kubeconfigs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scanTree } from '../../src/scan/index.js';
import { loadNode } from '../../src/scan/node-input.js';
import { openNodeInput } from '../../src/source/node-input.js';
import { openDirectory } from '../../src/source/open.js';
import { parseUnitFile } from '../../src/scan/systemd/unit-file.js';
import type { FileTree } from '../../src/source/file-tree.js';
import type { Finding, NodeModel } from '../../src/model/types.js';
import { buildHostileTarball, buildHostileTree, CANARY, type HostileTree } from '../helpers/hostile.js';
import { runCli } from '../helpers/cli.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const M = '/etc/kubernetes/manifests';
const PKI = '/etc/kubernetes/pki';

let h: HostileTree;
let tmp: string;
beforeAll(async () => {
  h = await buildHostileTree();
  tmp = mkdtempSync(join(tmpdir(), 'kdiff-scan-hostile-'));
});
afterAll(() => {
  h.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function at(model: NodeModel, path: string): Finding[] {
  return model.findings.filter((f) => f.path === path);
}

function codesAt(model: NodeModel, path: string): string[] {
  return at(model, path).map((f) => f.code);
}

/** What must survive on the hostile tree: the v1.16 control plane, the seed's kubelet, PKI and kubeconfigs. */
function expectRestOfNode(model: NodeModel): void {
  const pods = model.components.filter((c) => c.runMode === 'static-pod').map((c) => c.name);
  expect(pods).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
  const api = model.components.find((c) => c.name === 'kube-apiserver' && c.runMode === 'static-pod')!;
  expect(api.version).toBe('v1.16.2');
  expect(api.flags).toContainEqual(expect.objectContaining({ name: '--etcd-servers', value: 'https://127.0.0.1:2379', source: `${M}/kube-apiserver.yaml:23` }));
  expect(api.flags.length).toBeGreaterThan(20);
  const kubelet = model.components.find((c) => c.name === 'kubelet')!;
  expect(kubelet).toMatchObject({ runMode: 'systemd', unit: 'kubelet.service' });
  expect(kubelet.sources).toContain('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf');
  expect(kubelet.flags).toContainEqual(expect.objectContaining({ name: '--config', value: '/var/lib/kubelet/config.yaml' }));

  const certs = new Map(model.certificates.map((c) => [c.path, c]));
  for (const p of ['ca.crt', 'apiserver.crt', 'apiserver-kubelet-client.crt', 'front-proxy-ca.crt', 'etcd/ca.crt', 'etcd/server.crt']) {
    expect(certs.has(`${PKI}/${p}`)).toBe(true);
  }
  expect(certs.get(`${PKI}/apiserver.crt`)).toMatchObject({ subject: 'CN=kube-apiserver', issuerPath: `${PKI}/ca.crt`, privateKey: 'present' });
  expect(certs.get(`${PKI}/apiserver.crt`)!.roles).toContain('kube-apiserver:serving');
  expect(certs.get(`${PKI}/ca.crt`)!.roles).toContain('cluster-ca');
  expect(model.kubeconfigs.map((k) => [k.path, k.user])).toEqual([
    ['/etc/kubernetes/admin.conf', 'kubernetes-admin'],
    ['/etc/kubernetes/controller-manager.conf', 'system:kube-controller-manager'],
    ['/etc/kubernetes/kubelet.conf', 'system:node:master'],
    ['/etc/kubernetes/scheduler.conf', 'system:kube-scheduler'],
  ]);
  expect(model.role).toBe('control-plane');
}

function expectNoLeak(text: string): void {
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain('root:x:0:0');
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/\u001b/);
  expect(text).not.toContain(tmpdir() + '/kdiff-hostile-'); // node paths only, never where the tree sits
}

describe('scanning the hostile tree (scanTree, as scanners read it: no helper touches the files first)', () => {
  let model: NodeModel;
  let ms: number;
  beforeAll(() => {
    const start = Date.now();
    model = scanTree(openDirectory(h.root).tree, { now: NOW });
    ms = Date.now() - start;
  });

  it('finishes within a few seconds without an exception', () => {
    expect(ms).toBeLessThan(8000);
  });

  it('never puts the canary, the host /etc/passwd, a control character or a host path in the model', () => {
    expectNoLeak(JSON.stringify(model));
  });

  it('reports the rest of the node: components, flags, certificates, kubeconfigs', () => {
    expectRestOfNode(model);
  });

  it('a YAML bomb is a finding from the static-pod reader, at its line', () => {
    expect(at(model, `${M}/bomb.yaml`)).toEqual([expect.objectContaining({ code: 'yaml-too-many-aliases', line: 5, severity: 'warning' })]);
  });

  it('half a YAML document: a cut-off one is a parse error at its line; one that still parses is an extra pod', () => {
    expect(at(model, `${M}/cut.yaml`)).toEqual([expect.objectContaining({ code: 'yaml-parse-error', line: 8 })]);
    expect(codesAt(model, `${M}/half.yaml`)).toEqual(['extra-static-pod']);
    expect(model.extraStaticPods.map((p) => p.name)).toEqual(expect.arrayContaining(['half', 'smart']));
  });

  it('the unit of a million continuation lines: a finding at its line, its flags still read', () => {
    expect(at(model, '/etc/systemd/system/kube-apiserver.service')).toEqual([
      expect.objectContaining({ code: 'systemd-long-continuation', line: 2, severity: 'warning' }),
    ]);
    const daemon = model.components.find((c) => c.name === 'kube-apiserver' && c.runMode === 'systemd');
    expect(daemon?.flags).toEqual([{ name: '--v', value: '2', source: '/etc/systemd/system/kube-apiserver.service:1000003' }]);
    // a static-pod control plane plus an apiserver daemon: mixed, and said why
    expect(model.style).toBe('mixed');
  });

  it('bad PEM: truncated (with its line), a DER file, an empty file, a key where a cert should be', () => {
    expect(at(model, `${PKI}/truncated.crt`)).toEqual([expect.objectContaining({ code: 'pem-truncated', line: 1 })]);
    expect(codesAt(model, `${PKI}/der.crt`)).toEqual(['pem-der']);
    expect(codesAt(model, `${PKI}/empty.crt`)).toEqual(['pem-empty']);
    expect(codesAt(model, `${PKI}/key-as-cert.crt`)).toEqual(['key-where-cert-expected']);
    for (const p of ['truncated.crt', 'der.crt', 'empty.crt', 'key-as-cert.crt']) expect(model.certificates.some((c) => c.path === `${PKI}/${p}`)).toBe(false);
  });

  it('binary data, invalid UTF-8 and smart quotes in manifests: findings with their lines', () => {
    expect(codesAt(model, `${M}/garbage.yaml`)).toEqual(['binary-file']);
    expect(at(model, `${M}/latin1.yaml`)).toEqual([
      expect.objectContaining({ code: 'invalid-utf8', line: 3 }),
      expect.objectContaining({ code: 'yaml-invalid-utf8', line: 3 }),
    ]);
    expect(at(model, `${M}/smart.yaml`)).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'smart-quotes', line: 8 })]));
  });

  it('special files and refused links in the static pod directory are reported, not skipped in silence', () => {
    expect(codesAt(model, `${M}/fifo.yaml`)).toEqual(['special-file']);
    expect(h.socket).toBe(true);
    expect(codesAt(model, `${M}/sock.yaml`)).toEqual(['special-file']);
    expect(codesAt(model, `${M}/escape-dir`)).toEqual(['symlink-escapes-root']);
    expect(codesAt(model, `${PKI}/escape.key`)).toEqual(['symlink-escapes-root']);
    expect(codesAt(model, M)).toContain('unsafe-file-name');
  });

  it('oversized files: a 50 MB manifest and a kubelet config with a 1 MiB line, without a false "static pod path unset"', () => {
    expect(codesAt(model, `${M}/huge.yaml`)).toEqual(['file-too-large']);
    expect(at(model, '/var/lib/kubelet/config.yaml')).toEqual([expect.objectContaining({ code: 'line-too-long', line: 3 })]);
    expect(model.findings.map((f) => f.code)).not.toContain('static-pod-path-unset');
  });

  it('every finding is about a node path, and the same scan gives the same model', () => {
    for (const f of model.findings) expect(f.path === null || f.path.startsWith('/')).toBe(true);
    expect(scanTree(openDirectory(h.root).tree, { now: NOW })).toEqual(model);
  });
});

describe('the unit of a million continuation lines on its own', () => {
  it('parses in linear time (it was quadratic)', () => {
    const text = `[Service]\nExecStart=/usr/local/bin/kube-apiserver \\\n${'\\\n'.repeat(1_000_000)}  --v=2\n`;
    const start = Date.now();
    const parsed = parseUnitFile(text, '/etc/systemd/system/kube-apiserver.service');
    expect(Date.now() - start).toBeLessThan(3000);
    expect(parsed.assignments).toEqual([expect.objectContaining({ key: 'ExecStart', line: 2 })]);
    expect(parsed.findings.map((f) => f.code)).toEqual(['systemd-long-continuation']);
  });

  it('over systemd\'s 1 MiB line limit, it is an error, and systemd (like kdiff) reads no further', () => {
    const text = `[Service]\nExecStart=/usr/local/bin/kube-apiserver \\\n${'--v=2 \\\n'.repeat(200_000)}  --v=2\n[Install]\nWantedBy=multi-user.target\n`;
    const parsed = parseUnitFile(text, '/etc/systemd/system/kube-apiserver.service');
    expect(parsed.findings).toEqual([expect.objectContaining({ code: 'systemd-line-too-long', line: 2, severity: 'error' })]);
    expect(parsed.assignments).toEqual([]);
  });
});

describe('the hostile tarball', () => {
  let archive: string;
  beforeAll(() => {
    archive = join(tmp, 'hostile.tgz');
    writeFileSync(archive, gzipSync(buildHostileTarball()));
  });

  function expectTarFindings(model: NodeModel): void {
    const c = new Set(model.findings.map((f) => f.code));
    for (const code of ['archive-name-escapes', 'archive-absolute-name', 'archive-too-large', 'archive-hardlink-invalid', 'archive-hardlink-missing', 'archive-unsupported-entry']) {
      expect(c.has(code)).toBe(true);
    }
    expect(at(model, `${M}/bomb.yaml`)).toEqual([expect.objectContaining({ code: 'yaml-too-many-aliases', line: 5 })]);
    expect(codesAt(model, `${M}/garbage.yaml`)).toEqual(['binary-file']);
    expect(codesAt(model, `${M}/huge.yaml`)).toEqual(['file-too-large']);
    expect(codesAt(model, `${M}/fifo.yaml`)).toEqual(['special-file']);
    expect(codesAt(model, `${PKI}/ca.crt`)).toEqual(['pem-missing']);
    // the one good manifest is still read, with its flag and line
    expect(model.components).toEqual([
      expect.objectContaining({ name: 'kube-scheduler', runMode: 'static-pod', flags: [{ name: '--leader-elect', value: 'true', source: `${M}/kube-scheduler.yaml:10` }] }),
    ]);
  }

  it('through openNodeInput: a tree, read fast, archive problems on it', async () => {
    const start = Date.now();
    const input = await openNodeInput(archive, { label: 'hostile.tgz' });
    expect(input.kind).toBe('tree');
    if (input.kind !== 'tree') return;
    expect(input.format).toBe('tar');
    const model = scanTree(input.tree as FileTree, { now: NOW });
    expect(Date.now() - start).toBeLessThan(5000);
    expectNoLeak(JSON.stringify(model));
    expectTarFindings(model);
  });

  it('through loadNode: the same model', async () => {
    const model = await loadNode(archive, { label: 'hostile.tgz', now: NOW });
    expectNoLeak(JSON.stringify(model));
    expectTarFindings(model);
    expect(JSON.stringify(model)).not.toContain(tmp);
  });

  it('through the CLI (the built bin): exit 0 with the findings, text and JSON', () => {
    const env = { ...process.env, NO_COLOR: '1', KDIFF_NOW: '2030-01-01T00:00:00Z' };
    const text = spawnSync(process.execPath, ['bin/kdiff.js', 'scan', archive], { encoding: 'utf8', env, timeout: 20_000 });
    expect(text.status).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('kube-scheduler  static-pod');
    expect(text.stdout).toMatch(/yaml-too-many-aliases\s+\/etc\/kubernetes\/manifests\/bomb\.yaml:5/);
    expect(text.stdout).toContain('archive-name-escapes');
    expectNoLeak(text.stdout);
    const json = spawnSync(process.execPath, ['bin/kdiff.js', 'scan', archive, '--format', 'json'], { encoding: 'utf8', env, timeout: 20_000 });
    expect(json.status).toBe(0);
    expectTarFindings(JSON.parse(json.stdout).node);
  });
});

describe('the hostile tree through the CLI', () => {
  it('kdiff scan <hostile tree> exits 0 and lists the findings with path:line', async () => {
    const r = await runCli(['scan', h.root]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expectNoLeak(r.stdout.split(h.root).join('<root>'));
    expect(r.stdout).toMatch(/systemd-long-continuation\s+\/etc\/systemd\/system\/kube-apiserver\.service:2/);
    expect(r.stdout).toMatch(/pem-truncated\s+\/etc\/kubernetes\/pki\/truncated\.crt:1/);
    expect(r.stdout).toMatch(/kube-apiserver\s+static-pod/);
  });

  it('kdiff <hostile tree> <seed master> compares (exit 1), never 2', async () => {
    const r = await runCli([h.root, 'fixtures/seed-kubeadm-master']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expectNoLeak(r.stdout.split(h.root).join('<root>'));
  });
});

describe('inputs that cannot be read at all', () => {
  it('kdiff scan <missing> exits 2 with one line on stderr (built bin)', () => {
    const r = spawnSync(process.execPath, ['bin/kdiff.js', 'scan', join(tmp, 'no-such-node')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`kdiff: ${join(tmp, 'no-such-node')}: no such file or directory\n`);
  });

  it('a FIFO given as the node exits 2 at once, never opened', async () => {
    const r = await runCli(['scan', join(h.root, 'etc/kubernetes/manifests/fifo.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('a special file');
  });

  it('a file that is no archive and no snapshot exits 2 with one line', async () => {
    const file = join(tmp, 'garbage.bin');
    writeFileSync(file, Buffer.from([0x13, 0x37, 0, 1, 2, 3]));
    const r = await runCli(['scan', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kdiff: ${file}: not a directory, a .tar/.tar.gz archive or a kdiff snapshot\n`);
  });
});
