/** `kdiff scan`, run as the built bin (npm test builds first). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function kdiff(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/kdiff.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kdiff-scan-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kdiff scan', () => {
  it('prints the snapshot contract as JSON: 2-space indent, trailing newline, exit 0', () => {
    const r = kdiff('scan', 'fixtures/seed-kubeadm-master', '--format', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('}\n')).toBe(true);
    expect(r.stdout.split('\n')[1]).toBe('  "kdiff": "snapshot",');
    const snap = JSON.parse(r.stdout);
    expect(snap.kdiff).toBe('snapshot');
    expect(snap.schemaVersion).toBe(1);
    expect(snap.node.style).toBe('kubeadm');
    expect(snap.node.role).toBe('control-plane');
    const api = snap.node.components.find((c: { name: string }) => c.name === 'kube-apiserver');
    expect(api).toMatchObject({ runMode: 'static-pod', version: 'v1.12.0', image: 'k8s.gcr.io/kube-apiserver:v1.12.0', enabled: null, sources: ['/etc/kubernetes/manifests/kube-apiserver.yaml'] });
    expect(api.flags).toContainEqual({ name: '--etcd-servers', value: 'https://127.0.0.1:2379', source: '/etc/kubernetes/manifests/kube-apiserver.yaml:25' });
    for (const key of ['components', 'extraStaticPods', 'certificates', 'kubeconfigs', 'configs', 'findings']) expect(Array.isArray(snap.node[key])).toBe(true);
    expect(r.stdout).not.toContain(process.cwd());
  });

  it('a mistyped option gets commander\'s suggestion on its own line (its line break is not escaped), exit 2', () => {
    const r = kdiff('scan', '--formt', 'json', 'fixtures/seed-kubeadm-master');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual(["kdiff: error: unknown option '--formt'", '(Did you mean --format?)', '']);
  });

  it('is deterministic', () => {
    expect(kdiff('scan', 'fixtures/seed-kubeadm-master', '--format', 'json').stdout).toBe(kdiff('scan', 'fixtures/seed-kubeadm-master', '--format', 'json').stdout);
  });

  it('prints a table by default', () => {
    const r = kdiff('scan', 'fixtures/corpus/kubeadm-busygina83-otus/v1.27.3-5ceaeee');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('Style: kubeadm');
    expect(lines).toContain('Role: control-plane');
    expect(lines.find((l) => l.startsWith('COMPONENT'))).toMatch(/^COMPONENT\s+RUN MODE\s+SOURCE\s+VERSION\s+ENABLED\s+FLAGS$/);
    expect(lines.find((l) => l.startsWith('kube-apiserver '))).toMatch(/^kube-apiserver\s+static-pod\s+\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml\s+v1\.27\.3\s+-\s+27$/);
    expect(lines.find((l) => l.startsWith('etcd '))).toMatch(/\s3\.5\.7\s/);
    expect(r.stdout).toContain('haproxy');
    expect(r.stdout).toContain('static-pod-not-a-pod  /etc/kubernetes/manifests/custom-resources.yaml:3');
  });

  it('--output writes the file and nothing to stdout', () => {
    const out = join(tmp, 'snap.json');
    const r = kdiff('scan', 'fixtures/seed-kubeadm-worker', '--format', 'json', '--output', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const snap = JSON.parse(readFileSync(out, 'utf8'));
    expect([snap.node.style, snap.node.role]).toEqual(['kubeadm', 'worker']);
  });

  it('a node with a broken manifest still exits 0, the problem is a finding', () => {
    const root = join(tmp, 'broken');
    mkdirSync(join(root, 'etc/kubernetes/manifests'), { recursive: true });
    writeFileSync(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'apiVersion: v1\nkind: Pod\nspec: {containers: [\n');
    writeFileSync(join(root, 'etc/kubernetes/manifests/etcd.yaml'), readFileSync('fixtures/seed-kubeadm-master/etc/kubernetes/manifests/etcd.yaml'));
    const r = kdiff('scan', root, '--format', 'json');
    expect(r.code).toBe(0);
    const node = JSON.parse(r.stdout).node;
    expect(node.components.map((c: { name: string }) => c.name)).toEqual(['etcd']);
    expect(node.findings).toContainEqual(expect.objectContaining({ code: 'yaml-parse-error', path: '/etc/kubernetes/manifests/kube-apiserver.yaml', line: 4 }));
  });

  it.each([
    [['scan', 'fixtures/no-such-node'], /^kdiff: .*no-such-node: no such file or directory\n$/],
    [['scan', 'fixtures/seed-kubeadm-master', '--format', 'xml'], /^kdiff: .*xml.*\n$/],
    [['scan'], /^kdiff: .*missing required argument.*\n$/],
    [['scan', 'fixtures/seed-kubeadm-master', '--bogus'], /^kdiff: .*unknown option.*\n$/],
  ])('%j exits 2 with one line on stderr', (args, message) => {
    const r = kdiff(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help prints usage and exits 0', () => {
    const r = kdiff('scan', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--format <format>');
  });
});
