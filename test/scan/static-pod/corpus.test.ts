/** Every kubeadm control plane in the corpus, read the way the kubelet reads its static pod path. */
import { scanStaticPods } from '../../../src/scan/static-pod/index.js';
import { corpusTree, flagOf, flagValue } from './helpers.js';

const M = '/etc/kubernetes/manifests';
const CP = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

function scan(dir: string) {
  const r = scanStaticPods(corpusTree(dir), M);
  const by = (name: string) => r.components.find((c) => c.name === name);
  return { r, by };
}

describe('static pods of the corpus kubeadm trees', () => {
  it('v1.8.1 (CMeza99): gcr.io -amd64 images, etcd over plain http, --admission-control', () => {
    const { r, by } = scan('kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4');
    expect(r.components.map((c) => c.name).sort()).toEqual(CP);
    expect(r.components.every((c) => c.runMode === 'static-pod' && c.enabled === null)).toBe(true);
    expect(by('kube-apiserver')?.version).toBe('v1.8.1');
    expect(by('kube-apiserver')?.image).toBe('gcr.io/google_containers/kube-apiserver-amd64:v1.8.1');
    expect(by('etcd')?.version).toBe('3.0.17');
    expect(flagOf(by('kube-apiserver'), '--etcd-servers')).toEqual({
      name: '--etcd-servers',
      value: 'http://127.0.0.1:2379',
      source: `${M}/kube-apiserver.yaml:38`,
    });
    expect(flagValue(by('kube-apiserver'), '--admission-control')).toContain('NodeRestriction');
    expect(flagValue(by('kube-apiserver'), '--insecure-port')).toBe('0');
    expect(flagValue(by('kube-controller-manager'), '--address')).toBe('127.0.0.1');
    expect(by('etcd')?.flags.map((f) => f.name)).toEqual(['--advertise-client-urls', '--data-dir', '--listen-client-urls']);
    expect(r.extraStaticPods).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it('v1.16.2 (MaxxMoney): a registry.aliyuncs.com mirror, etcd 3.3.15-0', () => {
    const { r, by } = scan('kubeadm-maxxmoney/v1.16.2-ddd99ec');
    expect(r.components.map((c) => c.name).sort()).toEqual(CP);
    expect(by('kube-apiserver')?.version).toBe('v1.16.2');
    expect(by('kube-scheduler')?.version).toBe('v1.16.2');
    expect(by('etcd')?.version).toBe('3.3.15');
    expect(by('kube-apiserver')?.binary).toBe('kube-apiserver');
    expect(by('kube-apiserver')?.sources).toEqual([`${M}/kube-apiserver.yaml`]);
    expect(flagOf(by('kube-apiserver'), '--etcd-servers')?.source).toBe(`${M}/kube-apiserver.yaml:23`);
    expect(flagValue(by('kube-apiserver'), '--authorization-mode')).toBe('Node,RBAC');
    expect(flagValue(by('kube-apiserver'), '--service-cluster-ip-range')).toBe('10.96.0.0/16');
    expect(flagValue(by('kube-controller-manager'), '--cluster-cidr')).toBe('10.244.0.0/16');
    expect(flagValue(by('etcd'), '--client-cert-auth')).toBe('true');
    expect(flagValue(by('etcd'), '--name')).toBe('master1');
    expect(by('kube-apiserver')?.flags).toHaveLength(26);
  });

  it('v1.22.17 (Ebenneil): AWS cloud provider on apiserver and controller-manager', () => {
    const { r, by } = scan('kubeadm-ebenneil-k8/v1.22.17-b91c3ea');
    expect(r.components.map((c) => c.name).sort()).toEqual(CP);
    expect(by('kube-controller-manager')?.version).toBe('v1.22.17');
    expect(by('etcd')?.version).toBe('3.5.6');
    expect(flagValue(by('kube-apiserver'), '--cloud-provider')).toBe('aws');
    expect(flagValue(by('kube-controller-manager'), '--cloud-provider')).toBe('aws');
    expect(flagOf(by('kube-apiserver'), '--etcd-servers')?.source).toBe(`${M}/kube-apiserver.yaml:26`);
    expect(flagValue(by('kube-scheduler'), '--bind-address')).toBe('127.0.0.1');
  });

  it('v1.27.3 (busygina83): haproxy and keepalived are extra pods, the Calico Installation is not a pod', () => {
    const { r, by } = scan('kubeadm-busygina83-otus/v1.27.3-5ceaeee');
    expect(r.components.map((c) => c.name).sort()).toEqual(CP);
    expect(by('kube-apiserver')?.version).toBe('v1.27.3');
    expect(by('etcd')?.version).toBe('3.5.7');
    expect(r.extraStaticPods).toEqual([
      { name: 'haproxy', path: `${M}/haproxy.yaml`, image: 'haproxy:2.8.0' },
      { name: 'keepalived', path: `${M}/keepalived.yaml`, image: 'osixia/keepalived:2.0.20' },
    ]);
    const notPod = r.findings.find((f) => f.code === 'static-pod-not-a-pod');
    expect(notPod).toMatchObject({ severity: 'info', path: `${M}/custom-resources.yaml`, line: 3 });
    expect(notPod?.message).toContain('Installation');
    expect(r.findings.filter((f) => f.code === 'extra-static-pod')).toHaveLength(2);
    expect(r.manifests).toHaveLength(7);
  });

  it('v1.29.0 (zetaoss): registry.k8s.io, etcd 3.5.10-0', () => {
    const { r, by } = scan('kubeadm-zetaoss/v1.29.0-31ee222');
    expect(r.components.map((c) => c.name).sort()).toEqual(CP);
    expect(by('kube-apiserver')?.image).toBe('registry.k8s.io/kube-apiserver:v1.29.0');
    expect(by('kube-apiserver')?.version).toBe('v1.29.0');
    expect(by('etcd')?.version).toBe('3.5.10');
    expect(flagValue(by('kube-apiserver'), '--etcd-servers')).toBe('https://127.0.0.1:2379');
    expect(flagValue(by('etcd'), '--listen-client-urls')).toBe('https://127.0.0.1:2379,https://172.30.1.2:2379');
    expect(r.findings).toEqual([]);
  });

  it('a tree without the directory yields nothing and no error', () => {
    const r = scanStaticPods(corpusTree('kubeadm-joneconsulting/9fb3aa1'), M);
    expect(r).toEqual({ path: M, manifests: [], components: [], extraStaticPods: [], findings: [] });
  });
});
