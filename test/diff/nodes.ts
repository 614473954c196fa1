import { createHash } from 'node:crypto';
/** Node models for tests, built small: a kubeadm-like control plane and helpers to vary it. */
import type { Certificate, Component, ConfigFile, Flag, Kubeconfig, NodeModel } from '../../src/model/types.js';

export function flags(source: string, ...specs: string[]): Flag[] {
  return specs.map((s, i) => {
    const eq = s.indexOf('=');
    return eq < 0
      ? { name: s, value: 'true', bare: true, source: `${source}:${i + 1}` }
      : { name: s.slice(0, eq), value: s.slice(eq + 1), source: `${source}:${i + 1}` };
  });
}

export function component(name: string, over: Partial<Component> = {}): Component {
  const staticPod = over.runMode !== 'systemd' && name !== 'kubelet';
  const path = staticPod ? `/etc/kubernetes/manifests/${name}.yaml` : `/etc/systemd/system/${name}.service`;
  return {
    name,
    runMode: staticPod ? 'static-pod' : 'systemd',
    sources: [path],
    image: staticPod ? `registry.k8s.io/${name}:v1.31.2` : null,
    binary: staticPod ? null : `/usr/bin/${name}`,
    version: 'v1.31.2',
    enabled: staticPod ? null : true,
    flags: [],
    ...over,
  };
}

/** A certificate; its fingerprint follows what it holds (a real one is the hash of its DER), unless given. */
export function cert(path: string, over: Partial<Certificate> = {}): Certificate {
  const c: Certificate = {
    path,
    subject: 'CN=kube-apiserver',
    issuer: 'CN=kubernetes',
    serial: '01',
    notBefore: '2024-01-01T00:00:00.000Z',
    notAfter: '2025-01-01T00:00:00.000Z',
    sans: ['DNS:kubernetes', 'DNS:kubernetes.default', 'IP:10.96.0.1'],
    isCA: false,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extKeyUsage: ['serverAuth'],
    publicKey: 'RSA 2048',
    sha256: 'aa'.repeat(32),
    roles: ['kube-apiserver:serving'],
    issuerPath: '/etc/kubernetes/pki/ca.crt',
    privateKey: 'present',
    status: 'valid',
    ...over,
  };
  if (over.sha256 === undefined) {
    const { path: _p, roles: _r, status: _s, privateKey: _k, issuerPath: _i, ...content } = c;
    c.sha256 = createHash('sha256').update(JSON.stringify(content)).digest('hex');
  }
  return c;
}

export function kubeconfig(path: string, over: Partial<Kubeconfig> = {}): Kubeconfig {
  return {
    path,
    server: 'https://10.0.0.11:6443',
    user: 'system:kube-scheduler',
    groups: [],
    auth: 'client-certificate',
    ca: `${path}#ca`,
    clientCertificate: `${path}#client-certificate`,
    roles: ['kube-scheduler:kubeconfig'],
    ...over,
  };
}

export function config(path: string, kind: string, component: string | null, content: unknown): ConfigFile {
  return { path, kind, apiVersion: 'v1', component, content };
}

export function node(over: Partial<NodeModel> = {}): NodeModel {
  return {
    style: 'kubeadm',
    styleEvidence: [],
    role: 'control-plane',
    roleEvidence: [],
    components: [],
    extraStaticPods: [],
    certificates: [],
    kubeconfigs: [],
    configs: [],
    findings: [],
    ...over,
  };
}

/** A kubeadm control-plane node named `name` with address `ip`. */
export function kubeadmNode(name = 'cp-1', ip = '10.0.0.11'): NodeModel {
  const m = '/etc/kubernetes/manifests/kube-apiserver.yaml';
  return node({
    components: [
      component('kube-apiserver', {
        flags: flags(m, `--advertise-address=${ip}`, '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction',
          '--etcd-servers=https://127.0.0.1:2379', '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt', '--anonymous-auth=false'),
      }),
      component('etcd', {
        flags: flags('/etc/kubernetes/manifests/etcd.yaml', `--name=${name}`, `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
          `--initial-cluster=${name}=https://${ip}:2380`),
      }),
      component('kubelet', {
        sources: ['/usr/lib/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'],
        unit: 'kubelet.service',
        flags: flags('/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf',
          '--config=/var/lib/kubelet/config.yaml', `--node-ip=${ip}`),
      }),
    ],
    certificates: [
      cert('/etc/kubernetes/pki/apiserver.crt', { sans: ['DNS:kubernetes', `DNS:${name}`, 'IP:10.96.0.1', `IP:${ip}`] }),
      cert('/etc/kubernetes/pki/ca.crt', { subject: 'CN=kubernetes', sans: [], isCA: true, roles: ['cluster-ca'], extKeyUsage: [], keyUsage: ['keyCertSign'] }),
      cert('/var/lib/kubelet/pki/kubelet.crt', { subject: `CN=${name}@1700000000`, issuer: `CN=${name}-ca@1700000000`, sans: [`DNS:${name}`], roles: ['kubelet:serving'] }),
    ],
    kubeconfigs: [
      kubeconfig('/etc/kubernetes/scheduler.conf', { server: `https://${ip}:6443` }),
      kubeconfig('/etc/kubernetes/kubelet.conf', { server: `https://${ip}:6443`, user: `system:node:${name}`, groups: ['system:nodes'], roles: ['kubelet:kubeconfig'], clientCertificate: '/var/lib/kubelet/pki/kubelet-client-current.pem' }),
    ],
    configs: [
      config('/var/lib/kubelet/config.yaml', 'KubeletConfiguration', 'kubelet', {
        kind: 'KubeletConfiguration',
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
        cgroupDriver: 'systemd',
        clusterDNS: ['10.96.0.10'],
        clusterDomain: 'cluster.local',
        staticPodPath: '/etc/kubernetes/manifests',
      }),
    ],
  });
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
