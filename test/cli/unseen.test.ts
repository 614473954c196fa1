/**
 * Node trees kdiff's scanners were not written against (fixtures/unseen, README there), end to end
 * through the CLI: a kubeadm v1.31 control plane as the pkgs.k8s.io packages leave it, and a
 * kubeadm control plane whose etcd is a kubespray-style systemd daemon configured by ETCD_*
 * variables. `now` is pinned inside the certificates' validity.
 */
import { spawnSync } from 'node:child_process';
import type { Component, NodeModel } from '../../src/model/types.js';
import { runCli } from '../helpers/cli.js';

const NOW = { KDIFF_NOW: '2025-01-15T00:00:00Z' };
const V131 = 'fixtures/unseen/kubeadm-v1.31-pkgs';
const EXT = 'fixtures/unseen/kubeadm-external-etcd';
const MASTER = 'fixtures/seed-kubeadm-master';

async function scan(node: string): Promise<NodeModel> {
  const r = await runCli(['scan', node, '--format', 'json'], NOW);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout).node;
}

function get(model: NodeModel, name: string): Component {
  const c = model.components.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name}`);
  return c;
}

function flags(c: Component): Record<string, string> {
  return Object.fromEntries(c.flags.map((f) => [f.name, f.value]));
}

describe('kubeadm v1.31 from pkgs.k8s.io', () => {
  let m: NodeModel;
  beforeAll(async () => {
    m = await scan(V131);
  });

  it('is a kubeadm control plane, with the package layout as evidence', () => {
    expect(m.style).toBe('kubeadm');
    expect(m.role).toBe('control-plane');
    expect(m.styleEvidence).toContain("The kubelet runs under systemd with kubeadm's drop-in /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf.");
  });

  it('has the four control-plane static pods at v1.31.2 (etcd 3.5.15) and an enabled kubelet from /usr/lib', () => {
    expect(m.components.map((c) => [c.name, c.runMode, c.version, c.enabled])).toEqual([
      ['etcd', 'static-pod', '3.5.15', null],
      ['kube-apiserver', 'static-pod', 'v1.31.2', null],
      ['kube-controller-manager', 'static-pod', 'v1.31.2', null],
      ['kube-scheduler', 'static-pod', 'v1.31.2', null],
      ['kubelet', 'systemd', null, true],
    ]);
    const kubelet = get(m, 'kubelet');
    expect(kubelet).toMatchObject({ binary: '/usr/bin/kubelet', unit: 'kubelet.service' });
    expect(kubelet.sources).toEqual([
      '/usr/lib/systemd/system/kubelet.service',
      '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
      '/var/lib/kubelet/kubeadm-flags.env',
      '/etc/default/kubelet',
    ]);
  });

  it('reads the key flags with their sources', () => {
    expect(get(m, 'kubelet').flags).toEqual([
      { name: '--bootstrap-kubeconfig', value: '/etc/kubernetes/bootstrap-kubelet.conf', source: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:3' },
      { name: '--kubeconfig', value: '/etc/kubernetes/kubelet.conf', source: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:3' },
      { name: '--config', value: '/var/lib/kubelet/config.yaml', source: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:4' },
      { name: '--container-runtime-endpoint', value: 'unix:///var/run/containerd/containerd.sock', source: '/var/lib/kubelet/kubeadm-flags.env:1' },
      { name: '--pod-infra-container-image', value: 'registry.k8s.io/pause:3.10', source: '/var/lib/kubelet/kubeadm-flags.env:1' },
    ]);
    const api = flags(get(m, 'kube-apiserver'));
    expect(api).toMatchObject({ '--authorization-mode': 'Node,RBAC', '--etcd-servers': 'https://127.0.0.1:2379', '--service-account-issuer': 'https://kubernetes.default.svc.cluster.local' });
    expect(flags(get(m, 'kube-controller-manager'))['--use-service-account-credentials']).toBe('true');
    expect(m.configs.map((c) => [c.path, c.kind])).toEqual([['/var/lib/kubelet/config.yaml', 'KubeletConfiguration']]);
  });

  it('inventories kubeadm v1.29+ identities: super-admin.conf in system:masters, admin.conf in kubeadm:cluster-admins', () => {
    expect(m.kubeconfigs.map((k) => [k.path, k.user, k.groups])).toEqual([
      ['/etc/kubernetes/admin.conf', 'kubernetes-admin', ['kubeadm:cluster-admins']],
      ['/etc/kubernetes/controller-manager.conf', 'system:kube-controller-manager', []],
      ['/etc/kubernetes/kubelet.conf', 'system:node:cp-131', ['system:nodes']],
      ['/etc/kubernetes/scheduler.conf', 'system:kube-scheduler', []],
      ['/etc/kubernetes/super-admin.conf', 'kubernetes-super-admin', ['system:masters']],
    ]);
    expect(m.kubeconfigs.find((k) => k.path === '/etc/kubernetes/kubelet.conf')?.clientCertificate).toBe('/var/lib/kubelet/pki/kubelet-client-current.pem');
    const roles = Object.fromEntries(m.certificates.map((c) => [c.path, c.roles.join(',')]));
    expect(roles).toMatchObject({
      '/etc/kubernetes/pki/apiserver.crt': 'kube-apiserver:serving',
      '/etc/kubernetes/pki/apiserver-etcd-client.crt': 'kube-apiserver:etcd-client',
      '/etc/kubernetes/pki/etcd/server.crt': 'etcd:server',
      '/etc/kubernetes/pki/ca.crt': 'cluster-ca',
      '/var/lib/kubelet/pki/kubelet-client-current.pem': 'kubelet:client',
    });
    expect(m.certificates.every((c) => c.status === 'valid')).toBe(true);
    expect(m.findings.map((f) => f.code)).toEqual(['kube-proxy-daemonset']);
  });

  it('kdiff <it> <seed master> exits 1 with versions and settings, no run-mode or presence difference', async () => {
    const r = await runCli([V131, MASTER, '--format', 'json'], NOW);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report.summary.byCategory).sort()).toEqual(['certificate', 'config', 'layout', 'security', 'version']);
    const versions = report.differences.filter((d: { category: string }) => d.category === 'version');
    expect(versions).toContainEqual(expect.objectContaining({ component: 'kube-apiserver', left: 'v1.31.2', right: 'v1.12.0' }));
  });
});

describe('kubeadm with an external etcd daemon (kubespray)', () => {
  let m: NodeModel;
  beforeAll(async () => {
    m = await scan(EXT);
  });

  it('is mixed: control plane as static pods, etcd as a systemd daemon', () => {
    expect(m.style).toBe('mixed');
    expect(m.role).toBe('control-plane');
    expect(m.styleEvidence).toEqual(['kube-apiserver, kube-controller-manager and kube-scheduler run as static pods from /etc/kubernetes/manifests.', 'etcd runs as a systemd daemon.']);
    expect(m.components.map((c) => [c.name, c.runMode, c.version, c.enabled])).toEqual([
      ['etcd', 'systemd', null, true],
      ['kube-apiserver', 'static-pod', 'v1.29.7', null],
      ['kube-controller-manager', 'static-pod', 'v1.29.7', null],
      ['kube-scheduler', 'static-pod', 'v1.29.7', null],
      ['kubelet', 'systemd', null, true],
    ]);
  });

  it('reads etcd\'s settings from ETCD_* in /etc/etcd.env, as etcd does, each with its line', () => {
    const etcd = get(m, 'etcd');
    expect(etcd).toMatchObject({ binary: '/usr/local/bin/etcd', unit: 'etcd.service', sources: ['/etc/systemd/system/etcd.service', '/etc/etcd.env'] });
    expect(etcd.flags).toHaveLength(23);
    expect(etcd.flags[0]).toEqual({ name: '--data-dir', value: '/var/lib/etcd', source: '/etc/etcd.env:2' });
    expect(flags(etcd)).toMatchObject({
      '--name': 'etcd1',
      '--cert-file': '/etc/ssl/etcd/ssl/member-node1.pem',
      '--client-cert-auth': 'true',
      '--peer-client-cert-auth': 'True',
      '--initial-cluster-token': 'k8s_etcd',
      '--listen-client-urls': 'https://10.0.0.11:2379,https://127.0.0.1:2379',
    });
    expect(m.findings.map((f) => f.code)).not.toContain('etcd-environment-shadowed');
  });

  it('points the apiserver at the external members, and gives the etcd certificates their roles', () => {
    expect(flags(get(m, 'kube-apiserver'))).toMatchObject({
      '--etcd-servers': 'https://10.0.0.11:2379,https://10.0.0.12:2379,https://10.0.0.13:2379',
      '--etcd-certfile': '/etc/ssl/etcd/ssl/node-node1.pem',
      '--tls-cert-file': '/etc/kubernetes/ssl/apiserver.crt',
    });
    const roles = Object.fromEntries(m.certificates.map((c) => [c.path, c.roles]));
    expect(roles['/etc/ssl/etcd/ssl/member-node1.pem']).toEqual(['etcd:peer', 'etcd:server']);
    expect(roles['/etc/ssl/etcd/ssl/node-node1.pem']).toEqual(['kube-apiserver:etcd-client']);
    expect(roles['/etc/ssl/etcd/ssl/ca.pem']).toEqual(['etcd-ca']);
    expect(roles['/etc/kubernetes/ssl/apiserver.crt']).toEqual(['kube-apiserver:serving']);
    expect(m.findings.filter((f) => f.severity !== 'info').map((f) => [f.code, f.path])).toEqual([['cert-multiple-roles', '/etc/ssl/etcd/ssl/member-node1.pem']]);
  });

  it('reads the kubespray kubelet: /usr/local/bin, flags from a quoted, continued kubelet.env', () => {
    const kubelet = get(m, 'kubelet');
    expect(kubelet).toMatchObject({ binary: '/usr/local/bin/kubelet', enabled: true, sources: ['/etc/systemd/system/kubelet.service', '/etc/kubernetes/kubelet.env'] });
    expect(flags(kubelet)).toMatchObject({ '--v': '2', '--node-ip': '10.0.0.11', '--config': '/etc/kubernetes/kubelet-config.yaml', '--container-runtime-endpoint': 'unix:///var/run/containerd/containerd.sock' });
    expect(m.configs.map((c) => c.path)).toEqual(['/etc/kubernetes/kubelet-config.yaml']);
  });

  it('kdiff <it> <seed master> exits 1: etcd\'s run mode, its certificate layout, versions (built bin)', () => {
    const r = spawnSync(process.execPath, ['bin/kdiff.js', EXT, MASTER, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, ...NOW } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.left).toMatchObject({ style: 'mixed', role: 'control-plane' });
    expect(Object.keys(report.summary.byCategory).sort()).toEqual(['certificate', 'config', 'layout', 'run-mode', 'security', 'version']);
    expect(report.differences).toContainEqual(expect.objectContaining({ component: 'etcd', subject: 'run-mode', left: 'systemd', right: 'static-pod' }));
    expect(report.differences).toContainEqual(expect.objectContaining({ component: 'etcd', key: '--cert-file', category: 'layout' }));
    // the same settings, read from the environment, are not differences
    expect(report.differences.some((d: { component: string; key: string }) => d.component === 'etcd' && ['--data-dir', '--client-cert-auth', '--peer-client-cert-auth'].includes(d.key))).toBe(false);
  });
});
