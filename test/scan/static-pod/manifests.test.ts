/** The static-pod reader on small hostile or unusual inputs. */
import fc from 'fast-check';
import { scanStaticPods, componentOfContainer } from '../../../src/scan/static-pod/index.js';
import { readYamlDocuments } from '../../../src/scan/configs/safe-yaml.js';
import { memTree, flagOf, flagValue } from './helpers.js';

const M = '/etc/kubernetes/manifests';

function pod(name: string, command: string[], image = `registry.k8s.io/${name}:v1.31.2`, args: string[] = []): string {
  const lines = ['apiVersion: v1', 'kind: Pod', 'metadata:', `  name: ${name}`, '  namespace: kube-system', 'spec:', '  containers:', `  - name: ${name}`, `    image: ${image}`];
  if (command.length > 0) lines.push('    command:', ...command.map((c) => `    - ${c}`));
  if (args.length > 0) lines.push('    args:', ...args.map((a) => `    - ${a}`));
  return lines.join('\n') + '\n';
}

describe('scanStaticPods', () => {
  it('ignores dotfiles and subdirectories, as the kubelet does', () => {
    const tree = memTree({
      [`${M}/.gitkeep`]: '',
      [`${M}/.kube-apiserver.yaml.swp`]: pod('kube-apiserver', ['kube-apiserver']),
      [`${M}/backup/kube-apiserver.yaml`]: pod('kube-apiserver', ['kube-apiserver']),
    });
    const r = scanStaticPods(tree, M);
    expect(r.components).toEqual([]);
    expect(r.manifests).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it('gives each flag the line of its command item, command and args together', () => {
    const tree = memTree({ [`${M}/kube-scheduler.yaml`]: pod('kube-scheduler', ['kube-scheduler', '--leader-elect=true'], undefined, ['--bind-address=127.0.0.1']) });
    const [c] = scanStaticPods(tree, M).components;
    expect(c.name).toBe('kube-scheduler');
    expect(c.flags).toEqual([
      { name: '--leader-elect', value: 'true', source: `${M}/kube-scheduler.yaml:12` },
      { name: '--bind-address', value: '127.0.0.1', source: `${M}/kube-scheduler.yaml:14` },
    ]);
  });

  it('reads old hyperkube manifests: the sub-command names the component', () => {
    const tree = memTree({ [`${M}/kube-apiserver.yaml`]: pod('kube-apiserver', ['/hyperkube', 'apiserver', '--secure-port=6443'], 'quay.io/coreos/hyperkube:v1.6.4_coreos.0') });
    const [c] = scanStaticPods(tree, M).components;
    expect(c).toMatchObject({ name: 'kube-apiserver', binary: '/hyperkube', args: ['apiserver'], version: null });
    expect(flagValue(c, '--secure-port')).toBe('6443');
    expect(componentOfContainer(['hyperkube', 'controller-manager'], null)).toBe('kube-controller-manager');
    expect(componentOfContainer([], 'gcr.io/google_containers/kube-proxy-amd64:v1.8.1')).toBe('kube-proxy');
    expect(componentOfContainer(['/bin/sh', '-c', 'haproxy'], 'haproxy:2.8')).toBeNull();
  });

  it('reads a JSON manifest and a digest-pinned image', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'etcd' },
      spec: { containers: [{ name: 'etcd', image: 'registry.k8s.io/etcd@sha256:' + 'b'.repeat(64), command: ['etcd', '--data-dir=/var/lib/etcd'] }] },
    }, null, 2);
    const [c] = scanStaticPods(memTree({ [`${M}/etcd.json`]: json }), M).components;
    expect(c).toMatchObject({ name: 'etcd', version: null, runMode: 'static-pod' });
    expect(flagOf(c, '--data-dir')?.source).toMatch(/etcd\.json:\d+$/);
  });

  it('a broken manifest is a finding with its line; the other manifests are still read', () => {
    const broken = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command: [kube-apiserver,\n    image: x\n  bad: : :\n';
    const tree = memTree({
      [`${M}/kube-apiserver.yaml`]: broken,
      [`${M}/kube-scheduler.yaml`]: pod('kube-scheduler', ['kube-scheduler']),
    });
    const r = scanStaticPods(tree, M);
    expect(r.components.map((c) => c.name)).toEqual(['kube-scheduler']);
    const f = r.findings.find((x) => x.code === 'yaml-parse-error');
    expect(f).toMatchObject({ severity: 'warning', path: `${M}/kube-apiserver.yaml` });
    expect(f?.line).toBeGreaterThanOrEqual(5);
  });

  it('binary data is a finding, not a component', () => {
    const tree = memTree({
      [`${M}/etcd.yaml`]: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]),
      [`${M}/kube-scheduler.yaml`]: pod('kube-scheduler', ['kube-scheduler']),
    });
    const r = scanStaticPods(tree, M);
    expect(r.components.map((c) => c.name)).toEqual(['kube-scheduler']);
    // The FileTree refuses binary content before any YAML reader sees it.
    expect(tree.findings()).toContainEqual(expect.objectContaining({ code: 'binary-file', path: `${M}/etcd.yaml` }));
  });

  it('smart quotes pasted into a flag are kept in the value and reported with their line', () => {
    const tree = memTree({ [`${M}/kube-apiserver.yaml`]: pod('kube-apiserver', ['kube-apiserver', '--authorization-mode=“Node,RBAC”']) });
    const r = scanStaticPods(tree, M);
    expect(flagValue(r.components[0], '--authorization-mode')).toBe('“Node,RBAC”');
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'smart-quotes', path: `${M}/kube-apiserver.yaml`, line: 12 }));
  });

  it('refuses a billion-laughs alias bomb with a finding', () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lol.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const tree = memTree({ [`${M}/bomb.yaml`]: lol.join('\n') + '\n', [`${M}/etcd.yaml`]: pod('etcd', ['etcd']) });
    const r = scanStaticPods(tree, M);
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'yaml-too-many-aliases', path: `${M}/bomb.yaml` }));
    expect(r.components.map((c) => c.name)).toEqual(['etcd']);
  });

  it('refuses a huge document with a finding', () => {
    const r = readYamlDocuments('a: ' + 'x'.repeat(2 * 1024 * 1024), '/big.yaml');
    expect(r.documents).toEqual([]);
    expect(r.findings[0]).toMatchObject({ code: 'yaml-too-large', path: '/big.yaml' });
  });

  it('the kubelet reads only the first document: a second Pod is reported, not run', () => {
    const text = pod('kube-scheduler', ['kube-scheduler']) + '---\n' + pod('kube-apiserver', ['kube-apiserver']);
    const r = scanStaticPods(memTree({ [`${M}/both.yaml`]: text }), M);
    expect(r.components.map((c) => c.name)).toEqual(['kube-scheduler']);
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'static-pod-extra-document', severity: 'warning', line: 13 }));
  });

  it('a backup copy without a .yaml name still runs; a same-named pod is dropped as the kubelet does', () => {
    const tree = memTree({
      [`${M}/kube-apiserver.yaml`]: pod('kube-apiserver', ['kube-apiserver', '--v=2']),
      [`${M}/kube-apiserver.yaml.bak`]: pod('kube-apiserver', ['kube-apiserver', '--v=5']),
      [`${M}/kube-scheduler.orig`]: pod('kube-scheduler', ['kube-scheduler']),
    });
    const r = scanStaticPods(tree, M);
    expect(r.components.map((c) => `${c.name} ${c.sources[0]}`)).toEqual([
      `kube-apiserver ${M}/kube-apiserver.yaml`,
      `kube-scheduler ${M}/kube-scheduler.orig`,
    ]);
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'duplicate-static-pod', path: `${M}/kube-apiserver.yaml.bak` }));
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'static-pod-unusual-file-name', path: `${M}/kube-scheduler.orig` }));
  });

  it('a static pod path may be a single file', () => {
    const r = scanStaticPods(memTree({ '/etc/kubelet.d/apiserver.yaml': pod('kube-apiserver', ['kube-apiserver']) }), '/etc/kubelet.d/apiserver.yaml');
    expect(r.components.map((c) => c.name)).toEqual(['kube-apiserver']);
  });

  it('a secret-named flag value is never kept', () => {
    const r = scanStaticPods(memTree({ [`${M}/kube-apiserver.yaml`]: pod('kube-apiserver', ['kube-apiserver', '--etcd-password=hunter2', '--token-auth-file=/etc/tokens.csv']) }), M);
    expect(flagValue(r.components[0], '--etcd-password')).toBe('present');
    expect(flagValue(r.components[0], '--token-auth-file')).toBe('/etc/tokens.csv');
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('a manifest with non-string command items keeps the others', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  - image: registry.k8s.io/etcd:3.5.9-0\n    command:\n    - etcd\n    - {a: 1}\n    - --snapshot-count=10000\n';
    const r = scanStaticPods(memTree({ [`${M}/etcd.yaml`]: text }), M);
    expect(r.components[0].flags.map((f) => f.name)).toEqual(['--snapshot-count']);
    expect(r.components[0].version).toBe('3.5.9');
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'static-pod-invalid', line: 10 }));
  });
});

describe('the manifest reader on arbitrary input', () => {
  const yamlish = fc.array(
    fc.oneof(
      fc.constantFrom('apiVersion: v1', 'kind: Pod', 'spec:', '  containers:', '  - command:', '    - kube-apiserver', '    - --a=b', '---', '- ', ': ', '&x ', '*x', '{', '[', '"', "'", '\t', '|', '>', '#', '“', '\u0000'),
      fc.string(),
    ),
    { maxLength: 30 },
  ).map((parts) => parts.join('\n'));

  it('never throws and is deterministic', () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string(), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8'))), (text) => {
        const scan = () => scanStaticPods(memTree({ [`${M}/x.yaml`]: text, [`${M}/etcd.yaml`]: pod('etcd', ['etcd']) }), M);
        const a = scan();
        const b = scan();
        expect(a).toEqual(b);
        expect(a.components.some((c) => c.name === 'etcd')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
