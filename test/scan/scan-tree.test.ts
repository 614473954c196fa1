/** Assembling the node model: kubelet -> config -> static pod path -> static pods -> configs; style and role. */
import { assembleNode, chooseStaticPodPath, scanTree, sortFindings } from '../../src/scan/index.js';
import type { Component } from '../../src/model/types.js';
import type { SystemdScan } from '../../src/scan/types.js';
import { corpusTree, daemon, fixtureTree, memTree } from './static-pod/helpers.js';
import { readFileSync } from 'node:fs';

const DROP_IN = '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf';

/** The kubelet as the systemd scanner reports a kubeadm one (v1.11+ drop-in). */
function kubeadmKubelet(extraFlags: [string, string][] = []): Component {
  return daemon('kubelet', '/usr/bin/kubelet', [
    ['--bootstrap-kubeconfig', '/etc/kubernetes/bootstrap-kubelet.conf'],
    ['--kubeconfig', '/etc/kubernetes/kubelet.conf'],
    ['--config', '/var/lib/kubelet/config.yaml'],
    ['--cgroup-driver', 'cgroupfs'],
    ['--network-plugin', 'cni'],
    ...extraFlags,
  ], { sources: ['/lib/systemd/system/kubelet.service', DROP_IN, '/var/lib/kubelet/kubeadm-flags.env'] });
}

function systemd(...components: Component[]): SystemdScan {
  return { units: [], components, findings: [] };
}

const pod = (name: string, image = `registry.k8s.io/${name}:v1.31.2`) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: ${name}\n    image: ${image}\n    command:\n    - ${name}\n    - --v=2\n`;

describe('the seed kubeadm master (kubeadm v1.12.0)', () => {
  const node = assembleNode(fixtureTree('seed-kubeadm-master'), systemd(kubeadmKubelet()));

  it('runs the control plane as static pods and only the kubelet under systemd', () => {
    expect(node.components.map((c) => [c.name, c.runMode, c.version])).toEqual([
      ['etcd', 'static-pod', '3.2.24'],
      ['kube-apiserver', 'static-pod', 'v1.12.0'],
      ['kube-controller-manager', 'static-pod', 'v1.12.0'],
      ['kube-scheduler', 'static-pod', 'v1.12.0'],
      ['kubelet', 'systemd', null],
    ]);
    expect(node.style).toBe('kubeadm');
    expect(node.role).toBe('control-plane');
    expect(node.styleEvidence[0]).toBe('etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as static pods from /etc/kubernetes/manifests.');
    expect(node.styleEvidence).toContain(`The kubelet runs under systemd with kubeadm's drop-in ${DROP_IN}.`);
  });

  it('loads the kubelet config.yaml and follows its staticPodPath', () => {
    expect(node.configs.map((c) => [c.path, c.kind, c.component])).toEqual([['/var/lib/kubelet/config.yaml', 'KubeletConfiguration', 'kubelet']]);
    expect((node.configs[0].content as Record<string, unknown>).staticPodPath).toBe('/etc/kubernetes/manifests');
  });

  it('keeps the apiserver flags the article lists for kubeadm, with file:line', () => {
    const api = node.components.find((c) => c.name === 'kube-apiserver')!;
    expect(api.flags[0]).toEqual({ name: '--authorization-mode', value: 'Node,RBAC', source: '/etc/kubernetes/manifests/kube-apiserver.yaml:16' });
    expect(api.flags.find((f) => f.name === '--advertise-address')?.value).toBe('10.240.0.20');
    expect(api.flags.find((f) => f.name === '--etcd-servers')?.value).toBe('https://127.0.0.1:2379');
  });

  it('reports kube-proxy as a DaemonSet, not as missing', () => {
    expect(node.findings.filter((f) => f.component === 'kube-proxy')).toEqual([expect.objectContaining({ severity: 'info', code: 'kube-proxy-daemonset', path: null })]);
    // Nothing else is missing: the other findings are about the Secrets in etcd's member database.
    expect(node.findings.filter((f) => f.component !== 'kube-proxy').map((f) => f.code)).toEqual(['etcd-secrets-not-encrypted', 'etcd-secrets-undecryptable']);
  });
});

describe('the seed kubeadm worker', () => {
  it('is a kubeadm worker: only the kubelet, the .gitkeep in manifests ignored', () => {
    const node = assembleNode(fixtureTree('seed-kubeadm-worker'), systemd(kubeadmKubelet()));
    expect(node.style).toBe('kubeadm');
    expect(node.role).toBe('worker');
    expect(node.components.map((c) => c.name)).toEqual(['kubelet']);
    expect(node.extraStaticPods).toEqual([]);
    expect(node.roleEvidence).toEqual(['Only kubelet of the Kubernetes components runs on this node.']);
    expect(node.findings.map((f) => f.code)).toEqual(['kube-proxy-daemonset']);
  });

  it('is still recognized as kubeadm from kubeadm-flags.env when no kubelet unit was read', () => {
    const node = assembleNode(fixtureTree('seed-kubeadm-worker'), systemd());
    expect(node.style).toBe('kubeadm');
    expect(node.role).toBe('worker');
    expect(node.styleEvidence).toEqual([
      '/var/lib/kubelet/kubeadm-flags.env, which kubeadm writes, is on the node.',
      '/etc/kubernetes/bootstrap-kubelet.conf, which kubeadm writes, is on the node.',
    ]);
  });
});

describe('scanTree on corpus trees (whatever the systemd scanner finds)', () => {
  it.each([
    ['kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4', 'v1.8.1'],
    ['kubeadm-maxxmoney/v1.16.2-ddd99ec', 'v1.16.2'],
    ['kubeadm-ebenneil-k8/v1.22.17-b91c3ea', 'v1.22.17'],
    ['kubeadm-busygina83-otus/v1.27.3-5ceaeee', 'v1.27.3'],
    ['kubeadm-zetaoss/v1.29.0-31ee222', 'v1.29.0'],
  ])('%s is a kubeadm control plane at %s', (dir, version) => {
    const node = scanTree(corpusTree(dir));
    expect(node.style).toBe('kubeadm');
    expect(node.role).toBe('control-plane');
    const pods = node.components.filter((c) => c.runMode === 'static-pod');
    expect(pods.map((c) => c.name)).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    expect(pods.filter((c) => c.name !== 'etcd').every((c) => c.version === version)).toBe(true);
    expect(JSON.stringify(node)).toBe(JSON.stringify(scanTree(corpusTree(dir))));
  });

  it('the transcript v1.33.2 kubelet: config.yaml read, no manifests dumped, so a kubeadm node of unknown control plane', () => {
    const kubelet = daemon('kubelet', '/usr/bin/kubelet', [['--config', '/var/lib/kubelet/config.yaml']], {
      sources: ['/usr/lib/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '/var/lib/kubelet/kubeadm-flags.env', '/etc/default/kubelet'],
    });
    const node = assembleNode(corpusTree('kubeadm-transcript-v1.33.2/v1.33.2'), systemd(kubelet));
    expect(node.configs.map((c) => c.kind)).toEqual(['KubeletConfiguration']);
    expect((node.configs[0].content as Record<string, unknown>).cgroupDriver).toBe('systemd');
    expect(node.style).toBe('kubeadm');
    expect(node.role).toBe('worker');
  });
});

describe('the hard way', () => {
  const tree = corpusTree('kubernetes-the-hard-way/2018-09-1.12.0');
  const bin = (n: string) => `/usr/local/bin/${n}`;
  const controller = [
    daemon('etcd', bin('etcd'), [['--name', 'controller-0']]),
    daemon('kube-apiserver', bin('kube-apiserver'), [['--experimental-encryption-provider-config', '/var/lib/kubernetes/encryption-config.yaml']]),
    daemon('kube-controller-manager', bin('kube-controller-manager'), []),
    daemon('kube-scheduler', bin('kube-scheduler'), [['--config', '/etc/kubernetes/config/kube-scheduler.yaml']]),
  ];

  it('a controller is hard-way / control-plane, its config files followed', () => {
    const node = assembleNode(tree, systemd(...controller));
    expect(node.style).toBe('hard-way');
    expect(node.role).toBe('control-plane');
    expect(node.styleEvidence).toEqual(['etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as systemd daemons.']);
    expect(node.configs.map((c) => c.kind)).toEqual(['KubeSchedulerConfiguration', 'EncryptionConfig']);
    expect(node.findings.filter((f) => f.code === 'kube-proxy-daemonset')).toEqual([]);
  });

  it('a worker (kubelet + kube-proxy daemons) is hard-way / worker', () => {
    const node = assembleNode(tree, systemd(
      daemon('kubelet', bin('kubelet'), [['--config', '/var/lib/kubelet/kubelet-config.yaml']]),
      daemon('kube-proxy', bin('kube-proxy'), [['--config', '/var/lib/kube-proxy/kube-proxy-config.yaml']]),
    ));
    expect(node.style).toBe('hard-way');
    expect(node.role).toBe('worker');
    expect(node.configs.map((c) => c.kind)).toEqual(['KubeProxyConfiguration', 'KubeletConfiguration']);
    // The corpus holds the hard way's config files but none of its certificates or kubeconfigs:
    // every finding is about one of those files being absent, nothing about the configs themselves.
    expect(new Set(node.findings.map((f) => f.code))).toEqual(new Set(['kubeconfig-missing', 'referenced-file-missing']));
  });
});

describe('static pod path and style edge cases', () => {
  it('kubeadm with an external etcd daemon is mixed', () => {
    const tree = memTree({
      '/etc/kubernetes/manifests/kube-apiserver.yaml': pod('kube-apiserver'),
      '/etc/kubernetes/manifests/kube-scheduler.yaml': pod('kube-scheduler'),
      '/var/lib/kubelet/config.yaml': 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n',
    });
    const node = assembleNode(tree, systemd(kubeadmKubelet(), daemon('etcd', '/usr/local/bin/etcd', [['--name', 'etcd-0']])));
    expect(node.style).toBe('mixed');
    expect(node.role).toBe('control-plane');
    expect(node.styleEvidence).toEqual(['kube-apiserver and kube-scheduler run as static pods from /etc/kubernetes/manifests.', 'etcd runs as a systemd daemon.']);
  });

  it('--pod-manifest-path on the command line wins over staticPodPath', () => {
    const tree = memTree({
      '/etc/kubernetes/manifests/kube-apiserver.yaml': pod('kube-apiserver'),
      '/etc/kubelet.d/kube-scheduler.yaml': pod('kube-scheduler'),
      '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n',
    });
    const node = assembleNode(tree, systemd(kubeadmKubelet([['--pod-manifest-path', '/etc/kubelet.d']])));
    expect(node.components.map((c) => c.name)).toEqual(['kube-scheduler', 'kubelet']);
  });

  it('a relative staticPodPath is taken from the config file\'s directory', () => {
    const kubelet = kubeadmKubelet();
    const tree = memTree({
      '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\nstaticPodPath: manifests\n',
      '/var/lib/kubelet/manifests/etcd.yaml': pod('etcd', 'registry.k8s.io/etcd:3.5.15-0'),
    });
    const node = assembleNode(tree, systemd(kubelet));
    expect(node.components.find((c) => c.name === 'etcd')?.sources).toEqual(['/var/lib/kubelet/manifests/etcd.yaml']);
    expect(chooseStaticPodPath(kubelet, node.configs[0]).path).toBe('/var/lib/kubelet/manifests');
  });

  it('manifests the kubelet is not pointed at are reported', () => {
    const tree = memTree({
      '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\ncgroupDriver: systemd\n',
      '/etc/kubernetes/manifests/kube-apiserver.yaml': pod('kube-apiserver'),
    });
    const node = assembleNode(tree, systemd(kubeadmKubelet()));
    expect(node.findings).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'static-pod-path-unset', path: '/etc/kubernetes/manifests' }));
  });

  it('a missing kubelet config is a finding and the default path is still read', () => {
    const tree = memTree({ '/etc/kubernetes/manifests/kube-apiserver.yaml': pod('kube-apiserver') });
    const node = assembleNode(tree, systemd(kubeadmKubelet()));
    expect(node.findings).toContainEqual(expect.objectContaining({ code: 'config-file-missing', path: '/var/lib/kubelet/config.yaml' }));
    expect(node.components.map((c) => c.name)).toEqual(['kube-apiserver', 'kubelet']);
  });

  it('an empty tree is unknown / unknown, with no findings', () => {
    const node = scanTree(memTree({ '/etc/hostname': 'x\n' }));
    expect([node.style, node.role]).toEqual(['unknown', 'unknown']);
    expect(node.components).toEqual([]);
    expect(node.findings).toEqual([]);
  });

  it('a broken manifest leaves the rest of the node scanned; findings sorted by path and line', () => {
    const tree = memTree({
      '/etc/kubernetes/manifests/etcd.yaml': 'kind: Pod\nspec: [\n',
      '/etc/kubernetes/manifests/kube-apiserver.yaml': pod('kube-apiserver'),
      '/etc/kubernetes/manifests/kube-scheduler.yaml': pod('kube-scheduler') + '---\n' + pod('x'),
    });
    const node = scanTree(tree);
    expect(node.components.map((c) => c.name)).toEqual(['kube-apiserver', 'kube-scheduler']);
    expect(node.findings.map((f) => `${f.path}:${f.line ?? ''} ${f.code}`)).toEqual([
      'null: kube-proxy-daemonset',
      '/etc/kubernetes/manifests/etcd.yaml:3 yaml-parse-error',
      '/etc/kubernetes/manifests/kube-scheduler.yaml:13 static-pod-extra-document',
    ]);
  });

  it('sortFindings drops exact duplicates', () => {
    const f = { severity: 'info' as const, code: 'a', path: '/x', message: 'm' };
    expect(sortFindings([f, { ...f, path: '/a' }, f])).toEqual([{ ...f, path: '/a' }, f]);
  });
});

describe('certificates of the model', () => {
  it('are in path order, a bundle\'s later certificates (`ca.crt#1`) included', () => {
    const pki = 'fixtures/seed-kubeadm-master/etc/kubernetes/pki';
    const ca = readFileSync(`${pki}/ca.crt`, 'utf8');
    const proxy = readFileSync(`${pki}/front-proxy-ca.crt`, 'utf8');
    // Read file by file, ca.crt's second certificate comes right after its first; by path `ca.crt-2.pem` comes between.
    const tree = memTree({ '/etc/kubernetes/pki/ca.crt': ca + proxy, '/etc/kubernetes/pki/ca.crt-2.pem': proxy });
    const node = assembleNode(tree, systemd());
    const paths = node.certificates.map((c) => c.path);
    expect(paths).toEqual(['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/ca.crt-2.pem', '/etc/kubernetes/pki/ca.crt#1']);
  });
});
