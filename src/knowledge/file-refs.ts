/**
 * Which flag or config field points at which certificate, key, CA or kubeconfig role, and where
 * certificates and kubeconfigs usually sit when nothing points at them. Data, read by the PKI scanner.
 *
 * Flags: kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy command-line
 * references (https://kubernetes.io/docs/reference/command-line-tools-reference/) and etcd's
 * security flags (https://etcd.io/docs/v3.5/op-guide/security/). Config fields: KubeletConfiguration,
 * KubeProxyConfiguration, KubeSchedulerConfiguration (https://kubernetes.io/docs/reference/config-api/).
 * kubeadm file names: cmd/kubeadm/app/constants/constants.go and phases/certs/certlist.go.
 */
export type FileRefKind = 'certificate' | 'key' | 'ca' | 'kubeconfig' | 'config';

export interface FileRefRule {
  component: string;
  /** `--tls-cert-file`, or a config field path such as `authentication.x509.clientCAFile`. */
  via: string;
  kind: FileRefKind;
  /** `kube-apiserver:serving`, `cluster-ca`, `kubelet:kubeconfig` ... */
  role: string;
  /** For a certificate: the flag or field naming its private key (so a wrong key is reported as a mismatch). */
  keyVia?: string;
  /** The value is `cert,key` (optionally `:names`), as kube-apiserver's `--tls-sni-cert-key`. */
  valueFormat?: 'cert-key-pair';
  /** The flag may be given several times, each naming a file (a later one does not replace an earlier). */
  repeatable?: boolean;
  /** The file may rightly be absent (the kubelet reads its bootstrap kubeconfig only while it has no kubeconfig). */
  optional?: boolean;
}

function certPair(component: string, via: string, keyVia: string, role: string): FileRefRule[] {
  return [
    { component, via, kind: 'certificate', role, keyVia },
    { component, via: keyVia, kind: 'key', role },
  ];
}

function kubeconfigs(component: string, vias: readonly string[], role = `${component}:kubeconfig`): FileRefRule[] {
  return vias.map((via) => ({ component, via, kind: 'kubeconfig' as const, role }));
}

/** The generic apiserver library's serving and delegated-auth flags, shared by the control-plane binaries. */
function delegatedAuth(component: string): FileRefRule[] {
  return [
    ...certPair(component, '--tls-cert-file', '--tls-private-key-file', `${component}:serving`),
    { component, via: '--client-ca-file', kind: 'ca', role: 'cluster-ca' },
    { component, via: '--requestheader-client-ca-file', kind: 'ca', role: 'front-proxy-ca' },
    ...kubeconfigs(component, ['--kubeconfig', '--authentication-kubeconfig', '--authorization-kubeconfig']),
  ];
}

export const FILE_REF_RULES: readonly FileRefRule[] = [
  // kube-apiserver
  ...certPair('kube-apiserver', '--tls-cert-file', '--tls-private-key-file', 'kube-apiserver:serving'),
  { component: 'kube-apiserver', via: '--tls-sni-cert-key', kind: 'certificate', role: 'kube-apiserver:serving', valueFormat: 'cert-key-pair', repeatable: true },
  { component: 'kube-apiserver', via: '--client-ca-file', kind: 'ca', role: 'cluster-ca' },
  ...certPair('kube-apiserver', '--etcd-certfile', '--etcd-keyfile', 'kube-apiserver:etcd-client'),
  { component: 'kube-apiserver', via: '--etcd-cafile', kind: 'ca', role: 'etcd-ca' },
  ...certPair('kube-apiserver', '--kubelet-client-certificate', '--kubelet-client-key', 'kube-apiserver:kubelet-client'),
  { component: 'kube-apiserver', via: '--kubelet-certificate-authority', kind: 'ca', role: 'kubelet-ca' },
  ...certPair('kube-apiserver', '--proxy-client-cert-file', '--proxy-client-key-file', 'front-proxy:client'),
  { component: 'kube-apiserver', via: '--requestheader-client-ca-file', kind: 'ca', role: 'front-proxy-ca' },
  { component: 'kube-apiserver', via: '--service-account-key-file', kind: 'key', role: 'service-account', repeatable: true },
  { component: 'kube-apiserver', via: '--service-account-signing-key-file', kind: 'key', role: 'service-account' },
  { component: 'kube-apiserver', via: '--oidc-ca-file', kind: 'ca', role: 'oidc-ca' },
  { component: 'kube-apiserver', via: '--authentication-token-webhook-config-file', kind: 'kubeconfig', role: 'kube-apiserver:authentication-webhook' },
  { component: 'kube-apiserver', via: '--authorization-webhook-config-file', kind: 'kubeconfig', role: 'kube-apiserver:authorization-webhook' },
  { component: 'kube-apiserver', via: '--audit-webhook-config-file', kind: 'kubeconfig', role: 'kube-apiserver:audit-webhook' },
  { component: 'kube-apiserver', via: '--encryption-provider-config', kind: 'config', role: 'encryption-config' },
  { component: 'kube-apiserver', via: '--experimental-encryption-provider-config', kind: 'config', role: 'encryption-config' },

  // kube-controller-manager
  ...delegatedAuth('kube-controller-manager'),
  { component: 'kube-controller-manager', via: '--cluster-signing-cert-file', kind: 'ca', role: 'cluster-ca', keyVia: '--cluster-signing-key-file' },
  { component: 'kube-controller-manager', via: '--cluster-signing-key-file', kind: 'key', role: 'cluster-ca' },
  ...(['kubelet-serving', 'kubelet-client', 'kube-apiserver-client', 'legacy-unknown'] as const).flatMap((signer) => [
    { component: 'kube-controller-manager', via: `--cluster-signing-${signer}-cert-file`, kind: 'ca' as const, role: `${signer}-signer`, keyVia: `--cluster-signing-${signer}-key-file` },
    { component: 'kube-controller-manager', via: `--cluster-signing-${signer}-key-file`, kind: 'key' as const, role: `${signer}-signer` },
  ]),
  { component: 'kube-controller-manager', via: '--root-ca-file', kind: 'ca', role: 'cluster-ca' },
  { component: 'kube-controller-manager', via: '--service-account-private-key-file', kind: 'key', role: 'service-account' },

  // kube-scheduler
  ...delegatedAuth('kube-scheduler'),
  { component: 'kube-scheduler', via: 'clientConnection.kubeconfig', kind: 'kubeconfig', role: 'kube-scheduler:kubeconfig' },

  // etcd
  ...certPair('etcd', '--cert-file', '--key-file', 'etcd:server'),
  ...certPair('etcd', '--peer-cert-file', '--peer-key-file', 'etcd:peer'),
  { component: 'etcd', via: '--trusted-ca-file', kind: 'ca', role: 'etcd-ca' },
  { component: 'etcd', via: '--peer-trusted-ca-file', kind: 'ca', role: 'etcd-ca' },

  // kubelet: flags and their KubeletConfiguration fields
  ...certPair('kubelet', '--tls-cert-file', '--tls-private-key-file', 'kubelet:serving'),
  ...certPair('kubelet', 'tlsCertFile', 'tlsPrivateKeyFile', 'kubelet:serving'),
  { component: 'kubelet', via: '--client-ca-file', kind: 'ca', role: 'cluster-ca' },
  { component: 'kubelet', via: 'authentication.x509.clientCAFile', kind: 'ca', role: 'cluster-ca' },
  { component: 'kubelet', via: '--kubeconfig', kind: 'kubeconfig', role: 'kubelet:kubeconfig' },
  { component: 'kubelet', via: '--bootstrap-kubeconfig', kind: 'kubeconfig', role: 'kubelet:bootstrap-kubeconfig', optional: true },

  // kube-proxy
  { component: 'kube-proxy', via: '--kubeconfig', kind: 'kubeconfig', role: 'kube-proxy:kubeconfig' },
  { component: 'kube-proxy', via: 'clientConnection.kubeconfig', kind: 'kubeconfig', role: 'kube-proxy:kubeconfig' },
];

/** The rule for a flag or config field of a component, if it names a file kdiff follows. */
export function fileRefRule(component: string, via: string): FileRefRule | undefined {
  return FILE_REF_RULES.find((r) => r.component === component && r.via === via);
}

/** The component that reads a config file of this kind, when the file itself does not say. */
export const CONFIG_KIND_COMPONENT: Readonly<Record<string, string>> = {
  KubeletConfiguration: 'kubelet',
  KubeProxyConfiguration: 'kube-proxy',
  KubeSchedulerConfiguration: 'kube-scheduler',
};

/**
 * Roles of kubeadm's certificates by their fixed paths, for files found by looking in the usual
 * directories that no flag or field points at (a worker's node has no manifests to follow).
 */
export const KUBEADM_CERT_ROLES: Readonly<Record<string, readonly string[]>> = {
  '/etc/kubernetes/pki/ca.crt': ['cluster-ca'],
  '/etc/kubernetes/pki/apiserver.crt': ['kube-apiserver:serving'],
  '/etc/kubernetes/pki/apiserver-kubelet-client.crt': ['kube-apiserver:kubelet-client'],
  '/etc/kubernetes/pki/apiserver-etcd-client.crt': ['kube-apiserver:etcd-client'],
  '/etc/kubernetes/pki/front-proxy-ca.crt': ['front-proxy-ca'],
  '/etc/kubernetes/pki/front-proxy-client.crt': ['front-proxy:client'],
  '/etc/kubernetes/pki/etcd/ca.crt': ['etcd-ca'],
  '/etc/kubernetes/pki/etcd/server.crt': ['etcd:server'],
  '/etc/kubernetes/pki/etcd/peer.crt': ['etcd:peer'],
  '/etc/kubernetes/pki/etcd/healthcheck-client.crt': ['etcd:healthcheck-client'],
  '/var/lib/kubelet/pki/kubelet.crt': ['kubelet:serving'],
  '/var/lib/kubelet/pki/kubelet-server-current.pem': ['kubelet:serving'],
  '/var/lib/kubelet/pki/kubelet-client-current.pem': ['kubelet:client'],
};

/** Kubeconfigs at their usual places, with the role they play there. */
export const USUAL_KUBECONFIGS: Readonly<Record<string, readonly string[]>> = {
  '/etc/kubernetes/admin.conf': ['admin:kubeconfig'],
  '/etc/kubernetes/super-admin.conf': ['super-admin:kubeconfig'],
  '/etc/kubernetes/controller-manager.conf': ['kube-controller-manager:kubeconfig'],
  '/etc/kubernetes/scheduler.conf': ['kube-scheduler:kubeconfig'],
  '/etc/kubernetes/kubelet.conf': ['kubelet:kubeconfig'],
  '/etc/kubernetes/bootstrap-kubelet.conf': ['kubelet:bootstrap-kubeconfig'],
  '/var/lib/kubernetes/kube-controller-manager.kubeconfig': ['kube-controller-manager:kubeconfig'],
  '/var/lib/kubernetes/kube-scheduler.kubeconfig': ['kube-scheduler:kubeconfig'],
  '/var/lib/kubernetes/admin.kubeconfig': ['admin:kubeconfig'],
  '/var/lib/kubelet/kubeconfig': ['kubelet:kubeconfig'],
  '/var/lib/kube-proxy/kubeconfig': ['kube-proxy:kubeconfig'],
};

/** Directories whose `*.kubeconfig` files are read even when nothing points at them. */
export const KUBECONFIG_DIRS: readonly string[] = ['/var/lib/kubernetes', '/etc/kubernetes'];

/** Where certificates and keys usually sit; `deep` directories are walked, the others listed. */
export const USUAL_CERT_DIRS: readonly { path: string; deep: boolean }[] = [
  { path: '/etc/kubernetes/pki', deep: true },
  { path: '/etc/kubernetes/ssl', deep: true },
  { path: '/var/lib/kubernetes', deep: false },
  { path: '/var/lib/kubelet/pki', deep: false },
  { path: '/var/lib/kubelet', deep: false },
  { path: '/var/lib/kube-proxy', deep: false },
  { path: '/etc/etcd', deep: true },
  { path: '/etc/ssl/etcd', deep: true },
];

/** File names in those directories that may hold PEM certificates or keys. */
export const CERT_FILE_PATTERN = /\.(crt|pem|cer|cert|key|pub)$/;

/** Extensions that promise a certificate (a private key alone there is a mistake; `.pem` may be either). */
export const CERT_ONLY_PATTERN = /\.(crt|cer|cert)$/;

/**
 * Roles that one certificate may hold together without widening anyone's privileges: a cluster CA
 * that also verifies kubelet serving certificates is the usual setup, not a shortcut.
 */
export const COMPATIBLE_ROLES: readonly (readonly string[])[] = [['cluster-ca', 'kubelet-ca']];

/** The role of a client certificate a kubeconfig with this role presents (`kubelet:kubeconfig` → `kubelet:client`). */
export function kubeconfigClientRole(kubeconfigRole: string): string {
  return kubeconfigRole.endsWith('kubeconfig') ? kubeconfigRole.replace(/kubeconfig$/, 'client') : `${kubeconfigRole}-client`;
}
