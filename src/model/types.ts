/**
 * The normalized node model, the diff report and the audit report.
 *
 * These are the public JSON shapes of `../../docs/model.md` (snapshot, report and audit contracts).
 * Field names here are a contract with CI users and other tools: extend them, never rename them.
 */

export type Severity = 'error' | 'warning' | 'info';

/** A problem or notable fact found while scanning. Scanners never throw: they record one of these. */
export interface Finding {
  severity: Severity;
  /** Stable kebab-case identifier, e.g. `kubelet-not-enabled`, `yaml-parse-error`. */
  code: string;
  /** Node path the finding is about (as on the node), or null when it is about the node as a whole. */
  path: string | null;
  /** 1-based line in `path`, where there is one. */
  line?: number;
  /** One sentence a person can act on. Never contains secret material. */
  message: string;
  /** Component the finding concerns, where there is one. */
  component?: string;
}

export type RunMode = 'static-pod' | 'systemd' | 'daemonset';

/** One command-line flag as the component really receives it. */
export interface Flag {
  /** Long name with dashes, as given: `--etcd-servers`. */
  name: string;
  /** The value with quoting removed; a bare boolean flag (`--client-cert-auth`) has value `"true"`. */
  value: string;
  /** `file:line` on the node where the flag (or the variable that carried it) was written. */
  source: string;
  /** True when the flag was given without a value. */
  bare?: boolean;
  /** True when the same flag is given again later: the later one wins, this one is kept for the record. */
  overridden?: boolean;
}

/** A component config file (KubeletConfiguration, KubeProxyConfiguration, ...), secrets removed. */
export interface ConfigFile {
  path: string;
  /** `KubeletConfiguration`, `KubeProxyConfiguration`, `KubeSchedulerConfiguration`, `EncryptionConfiguration`, ... */
  kind: string;
  apiVersion: string | null;
  /** Component that reads it (from the flag that points at it). */
  component: string | null;
  /** The document with every secret value replaced by `present` or a fingerprint. */
  content: unknown;
}

export interface Component {
  /** Canonical name: kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kubelet, kube-proxy, containerd, ... */
  name: string;
  runMode: RunMode;
  /** Node paths this component was read from (manifest, unit and drop-ins, environment files). */
  sources: string[];
  image: string | null;
  binary: string | null;
  version: string | null;
  /** systemd: wanted by a target (true), not (false); null for static pods. */
  enabled: boolean | null;
  /** systemd unit name (`kubelet.service`), for daemons. */
  unit?: string;
  /** True when the unit is linked to /dev/null. */
  masked?: boolean;
  /** Flags in the order the component receives them (all occurrences kept). */
  flags: Flag[];
  /** Positional arguments that are not flags (e.g. `hyperkube <component>`'s sub-command). */
  args?: string[];
}

/** A static pod that is not a Kubernetes component (haproxy, keepalived, kube-vip ...). */
export interface ExtraStaticPod {
  name: string;
  path: string;
  image: string | null;
}

export interface Certificate {
  /** Node path of the file; for a bundle, `path#N` for the N-th (0-based) certificate after the first. */
  path: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** `DNS:name` and `IP:addr` entries. */
  sans: string[];
  isCA: boolean;
  keyUsage: string[];
  extKeyUsage: string[];
  /** `RSA 2048`, `EC P-256`, `Ed25519`. */
  publicKey: string;
  /** SHA-256 fingerprint, colon-free lowercase hex. */
  sha256: string;
  /** Roles this certificate plays on the node, sorted: `kube-apiserver:serving`, `cluster-ca` ... */
  roles: string[];
  /** Path of the CA certificate on the node whose key signed this one (signature verified), or null. */
  issuerPath: string | null;
  /** Whether the matching private key was found on the node: `present` (never the key). */
  privateKey: 'present' | 'absent' | 'mismatch';
  /** valid, expiring (within the configured window), expired, or not-yet-valid. */
  status: 'valid' | 'expiring' | 'expired' | 'not-yet-valid';
  /** When `path` is a symlink (kubeadm's `kubelet-client-current.pem`): the node path of the file it leads to. */
  linkTarget?: string;
}

export type KubeconfigAuth = 'client-certificate' | 'token' | 'exec' | 'other';

export interface Kubeconfig {
  path: string;
  server: string | null;
  /** Identity the kubeconfig authenticates as: CN of the client certificate, `system:bootstrap:<id>` for a bootstrap token, the exec command; null when unknown (another token). */
  user: string | null;
  /** Organizations (O=) of the client certificate. */
  groups: string[];
  auth: KubeconfigAuth;
  /** Node path of the CA certificate it trusts (file or embedded: `path#ca`). */
  ca: string | null;
  /** Node path of the client certificate (file, or embedded: `path#client-certificate`). */
  clientCertificate: string | null;
  roles: string[];
  /** Node path of the CA certificate file on the node equal to the CA this kubeconfig trusts (embedded or not), or null. */
  caCertificate?: string | null;
  /** The client certificate's notAfter (ISO-8601), embedded or a file. */
  clientCertificateNotAfter?: string | null;
  /** Node path of the CA certificate on the node that signed the client certificate (signature verified), or null. */
  clientCertificateIssuer?: string | null;
  /** Expiry status of the client certificate, as for certificates. */
  clientCertificateStatus?: Certificate['status'];
}

export type NodeStyle = 'kubeadm' | 'hard-way' | 'mixed' | 'unknown';
export type NodeRole = 'control-plane' | 'worker' | 'unknown';

export interface EtcdDataSummary {
  dataDir: string;
  /** Node path of `member/snap/db`, when present. */
  db: string | null;
  status: { hash: number; revision: number; totalKey: number; totalSize: number } | null;
  /**
   * Encryption at rest of the Secrets in the database (latest value of each live key): how many
   * there are, how many carry an encryption-provider prefix, and by which `provider:version:key`.
   */
  secrets?: {
    verdict: 'encrypted' | 'partly-encrypted' | 'not-encrypted' | 'absent';
    values: number;
    encrypted: number;
    providers: Record<string, number>;
  };
}

export interface NodeModel {
  style: NodeStyle;
  /** Why the style was chosen: one short sentence per piece of evidence. */
  styleEvidence: string[];
  role: NodeRole;
  roleEvidence: string[];
  components: Component[];
  extraStaticPods: ExtraStaticPod[];
  certificates: Certificate[];
  kubeconfigs: Kubeconfig[];
  configs: ConfigFile[];
  etcd?: EtcdDataSummary[];
  findings: Finding[];
}

/** `kdiff scan --format json`. */
export interface Snapshot {
  kdiff: 'snapshot';
  schemaVersion: 1;
  node: NodeModel;
}

export type DiffSubject =
  | 'component'
  | 'run-mode'
  | 'flag'
  | 'certificate'
  | 'kubeconfig'
  | 'version'
  | 'enabled'
  | 'file'
  | 'config'
  | 'node';

export type DiffCategory =
  | 'security'
  | 'config'
  | 'layout'
  | 'version'
  | 'run-mode'
  | 'presence'
  | 'certificate';

export interface Difference {
  component: string | null;
  subject: DiffSubject;
  /** A flag, a certificate or kubeconfig role, or a field path. */
  key: string;
  change: 'added' | 'removed' | 'changed';
  category: DiffCategory;
  severity: Severity;
  left: unknown;
  right: unknown;
  message: string;
}

export interface NodeLabel {
  label: string;
  style: NodeStyle;
  role: NodeRole;
}

export interface DiffSummary {
  differences: number;
  byCategory: Partial<Record<DiffCategory, number>>;
  bySeverity: Partial<Record<Severity, number>>;
}

/** `kdiff A B --format json`. */
export interface DiffReport {
  kdiff: 'report';
  schemaVersion: 1;
  left: NodeLabel;
  right: NodeLabel;
  differences: Difference[];
  summary: DiffSummary;
  /** Ignore rules that matched nothing or had expired, and differences they dropped (counts). */
  ignored?: { rules: number; differences: number; expiredRules: string[] };
}

export interface AuditNode extends NodeLabel {
  differences: Difference[];
  /** Set when the node could not be read at all. */
  error?: string;
}

/** `kdiff audit --format json`. */
export interface AuditReport {
  kdiff: 'audit';
  schemaVersion: 1;
  baseline: { label: string } | null;
  nodes: AuditNode[];
  summary: { nodes: number; drifted: number; differences: number; unreadable?: number };
}
