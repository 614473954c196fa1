/**
 * The node paths kdiff reads, as data: `kdiff paths` prints them and the tar one-liner that
 * collects them. Scanner owners add what their scanner reads here, nowhere else.
 * Missing paths are normal (a kubeadm node has no /var/lib/kubernetes, a hard-way node no manifests).
 */

export interface NodePath {
  /** Absolute node path. */
  path: string;
  kind: 'dir' | 'file';
  /** What kdiff reads there, in a few words. */
  reason: string;
  /** True when it usually holds private keys, tokens or other credentials. */
  secrets: boolean;
}

export const NODE_PATHS: readonly NodePath[] = [
  { path: '/etc/kubernetes', kind: 'dir', reason: 'static pod manifests, PKI, kubeconfigs, component configs', secrets: true },
  { path: '/etc/systemd/system', kind: 'dir', reason: 'units, drop-ins, enablement links', secrets: false },
  { path: '/run/systemd/system', kind: 'dir', reason: 'runtime units and drop-ins', secrets: false },
  { path: '/usr/local/lib/systemd/system', kind: 'dir', reason: 'locally installed units', secrets: false },
  { path: '/usr/lib/systemd/system', kind: 'dir', reason: 'packaged units and drop-ins', secrets: false },
  { path: '/lib/systemd/system', kind: 'dir', reason: 'packaged units (older Debian layout)', secrets: false },
  { path: '/etc/default/kubelet', kind: 'file', reason: 'KUBELET_EXTRA_ARGS (deb)', secrets: false },
  { path: '/etc/sysconfig/kubelet', kind: 'file', reason: 'KUBELET_EXTRA_ARGS (rpm)', secrets: false },
  { path: '/var/lib/kubelet/config.yaml', kind: 'file', reason: "kubeadm's KubeletConfiguration", secrets: false },
  { path: '/var/lib/kubelet/kubeadm-flags.env', kind: 'file', reason: "kubeadm's kubelet flags", secrets: false },
  { path: '/var/lib/kubelet/kubelet-config.yaml', kind: 'file', reason: "the hard way's KubeletConfiguration", secrets: false },
  { path: '/var/lib/kubelet/kubeconfig', kind: 'file', reason: "the hard way's kubelet kubeconfig", secrets: true },
  { path: '/var/lib/kubelet/bootstrap-kubeconfig', kind: 'file', reason: 'kubelet bootstrap kubeconfig', secrets: true },
  { path: '/var/lib/kubelet/pki', kind: 'dir', reason: 'kubelet client and serving certificates', secrets: true },
  { path: '/var/lib/kubernetes', kind: 'dir', reason: "the hard way's certificates, kubeconfigs, encryption config", secrets: true },
  { path: '/var/lib/kube-proxy', kind: 'dir', reason: 'kube-proxy kubeconfig and config', secrets: true },
  { path: '/etc/etcd', kind: 'dir', reason: 'etcd configuration and certificates', secrets: true },
  { path: '/etc/etcd.env', kind: 'file', reason: "kubespray's etcd environment", secrets: false },
  { path: '/etc/cni/net.d', kind: 'dir', reason: 'CNI network configuration', secrets: false },
  { path: '/etc/containerd', kind: 'dir', reason: 'containerd configuration', secrets: false },
  { path: '/etc/crictl.yaml', kind: 'file', reason: 'crictl runtime endpoint', secrets: false },
];

/** tar --exclude patterns for `kdiff paths --no-keys`: files that hold private keys. */
export const KEY_EXCLUDES: readonly string[] = ['*.key', '*-key.pem', 'kubelet-client-*.pem', 'kubelet-server-*.pem'];

/** The arguments of a `tar czf -` run from `/` that collects the node paths. */
export function tarArgs(options: { noKeys?: boolean } = {}): string[] {
  const args = ['-C', '/', '--ignore-failed-read', '--warning=no-failed-read'];
  if (options.noKeys) for (const p of KEY_EXCLUDES) args.push(`--exclude=${p}`);
  for (const p of NODE_PATHS) args.push(p.path.slice(1));
  return args;
}

/** The ssh one-liner that collects a node into `<host>.tgz` (the remote shell sees the quoted patterns). */
export function collectCommand(host = 'NODE', options: { noKeys?: boolean } = {}): string {
  const args = tarArgs(options).map((a) => (a.startsWith('--exclude=') ? `--exclude="${a.slice('--exclude='.length)}"` : a));
  return `ssh ${host} 'sudo tar czf - ${args.join(' ')}' > ${host}.tgz`;
}
