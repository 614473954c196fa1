/** Hand-made components and config files for PKI tests (the scanners that produce them are tested elsewhere). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { Component, ConfigFile, RunMode } from '../../../src/model/types.js';
import { openDirectory } from '../../../src/source/open.js';

export const FIXTURES = join(process.cwd(), 'fixtures');

export function fixtureTree(name: string) {
  return openDirectory(join(FIXTURES, name)).tree;
}

/** A component whose flags are `--name=value` words, each with a `source:line`. */
export function component(name: string, runMode: RunMode, source: string, words: readonly string[]): Component {
  return {
    name,
    runMode,
    sources: [source],
    image: null,
    binary: null,
    version: null,
    enabled: runMode === 'systemd' ? true : null,
    flags: words.map((w, i) => {
      const eq = w.indexOf('=');
      return { name: eq < 0 ? w : w.slice(0, eq), value: eq < 0 ? 'true' : w.slice(eq + 1), source: `${source}:${i + 1}` };
    }),
  };
}

/** The flags of a static pod manifest in the corpus (container command words that start with `--`). */
export function manifestComponent(file: string, nodePath: string): Component {
  const doc = load(readFileSync(file, 'utf8')) as { spec: { containers: { command: string[] }[] } };
  const cmd = doc.spec.containers[0].command;
  return component(cmd[0], 'static-pod', nodePath, cmd.slice(1).filter((w) => w.startsWith('--')));
}

export function config(path: string, kind: string, content: unknown, comp: string | null = null): ConfigFile {
  return { path, kind, apiVersion: null, component: comp, content };
}

const MANIFESTS = '/etc/kubernetes/manifests';

/** kubeadm v1.12's control plane, as its manifests and kubelet drop-in give the flags. */
export function kubeadmMasterComponents(): { components: Component[]; configs: ConfigFile[] } {
  const pki = '/etc/kubernetes/pki';
  return {
    components: [
      component('kube-apiserver', 'static-pod', `${MANIFESTS}/kube-apiserver.yaml`, [
        `--client-ca-file=${pki}/ca.crt`,
        `--etcd-cafile=${pki}/etcd/ca.crt`,
        `--etcd-certfile=${pki}/apiserver-etcd-client.crt`,
        `--etcd-keyfile=${pki}/apiserver-etcd-client.key`,
        `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`,
        `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
        `--proxy-client-cert-file=${pki}/front-proxy-client.crt`,
        `--proxy-client-key-file=${pki}/front-proxy-client.key`,
        `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
        `--service-account-key-file=${pki}/sa.pub`,
        `--tls-cert-file=${pki}/apiserver.crt`,
        `--tls-private-key-file=${pki}/apiserver.key`,
      ]),
      component('kube-controller-manager', 'static-pod', `${MANIFESTS}/kube-controller-manager.yaml`, [
        '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
        `--client-ca-file=${pki}/ca.crt`,
        `--cluster-signing-cert-file=${pki}/ca.crt`,
        `--cluster-signing-key-file=${pki}/ca.key`,
        '--kubeconfig=/etc/kubernetes/controller-manager.conf',
        `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
        `--root-ca-file=${pki}/ca.crt`,
        `--service-account-private-key-file=${pki}/sa.key`,
      ]),
      component('kube-scheduler', 'static-pod', `${MANIFESTS}/kube-scheduler.yaml`, ['--kubeconfig=/etc/kubernetes/scheduler.conf']),
      component('etcd', 'static-pod', `${MANIFESTS}/etcd.yaml`, [
        `--cert-file=${pki}/etcd/server.crt`,
        `--key-file=${pki}/etcd/server.key`,
        `--peer-cert-file=${pki}/etcd/peer.crt`,
        `--peer-key-file=${pki}/etcd/peer.key`,
        `--peer-trusted-ca-file=${pki}/etcd/ca.crt`,
        `--trusted-ca-file=${pki}/etcd/ca.crt`,
      ]),
      component('kubelet', 'systemd', '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', [
        '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
        '--kubeconfig=/etc/kubernetes/kubelet.conf',
        '--config=/var/lib/kubelet/config.yaml',
      ]),
    ],
    configs: [config('/var/lib/kubelet/config.yaml', 'KubeletConfiguration', { authentication: { x509: { clientCAFile: `${pki}/ca.crt` } } }, 'kubelet')],
  };
}

/** Kubernetes The Hard Way 1.12 controller-0: the PKI flags of its units (fixtures/corpus/kubernetes-the-hard-way/2018-09-1.12.0). */
export function hardWayControllerComponents(): { components: Component[]; configs: ConfigFile[] } {
  const lib = '/var/lib/kubernetes';
  const unit = (n: string) => `/etc/systemd/system/${n}.service`;
  return {
    components: [
      component('kube-apiserver', 'systemd', unit('kube-apiserver'), [
        `--client-ca-file=${lib}/ca.pem`,
        `--etcd-cafile=${lib}/ca.pem`,
        `--etcd-certfile=${lib}/kubernetes.pem`,
        `--etcd-keyfile=${lib}/kubernetes-key.pem`,
        `--experimental-encryption-provider-config=${lib}/encryption-config.yaml`,
        `--kubelet-certificate-authority=${lib}/ca.pem`,
        `--kubelet-client-certificate=${lib}/kubernetes.pem`,
        `--kubelet-client-key=${lib}/kubernetes-key.pem`,
        `--service-account-key-file=${lib}/service-account.pem`,
        `--tls-cert-file=${lib}/kubernetes.pem`,
        `--tls-private-key-file=${lib}/kubernetes-key.pem`,
      ]),
      component('kube-controller-manager', 'systemd', unit('kube-controller-manager'), [
        `--cluster-signing-cert-file=${lib}/ca.pem`,
        `--cluster-signing-key-file=${lib}/ca-key.pem`,
        `--kubeconfig=${lib}/kube-controller-manager.kubeconfig`,
        `--root-ca-file=${lib}/ca.pem`,
        `--service-account-private-key-file=${lib}/service-account-key.pem`,
      ]),
      component('kube-scheduler', 'systemd', unit('kube-scheduler'), ['--config=/etc/kubernetes/config/kube-scheduler.yaml']),
      component('etcd', 'systemd', unit('etcd'), [
        '--cert-file=/etc/etcd/kubernetes.pem',
        '--key-file=/etc/etcd/kubernetes-key.pem',
        '--peer-cert-file=/etc/etcd/kubernetes.pem',
        '--peer-key-file=/etc/etcd/kubernetes-key.pem',
        '--trusted-ca-file=/etc/etcd/ca.pem',
        '--peer-trusted-ca-file=/etc/etcd/ca.pem',
      ]),
    ],
    configs: [
      config('/etc/kubernetes/config/kube-scheduler.yaml', 'KubeSchedulerConfiguration', {
        clientConnection: { kubeconfig: '/var/lib/kubernetes/kube-scheduler.kubeconfig' },
      }),
    ],
  };
}
