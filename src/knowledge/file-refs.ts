/**
 * Which flag or config field points at which certificate, key, CA or kubeconfig role.
 * Owned by the PKI work (helper C); placeholder API.
 */
export type FileRefKind = 'certificate' | 'key' | 'ca' | 'kubeconfig' | 'config';

export interface FileRefRule {
  component: string;
  /** `--tls-cert-file`, or a config field path such as `authentication.x509.clientCAFile`. */
  via: string;
  kind: FileRefKind;
  /** `kube-apiserver:serving`, `cluster-ca`, `kubelet:kubeconfig` ... */
  role: string;
}

export const FILE_REF_RULES: readonly FileRefRule[] = [];

/** The rule for a flag or config field of a component, if it names a file kdiff follows. */
export function fileRefRule(component: string, via: string): FileRefRule | undefined {
  return FILE_REF_RULES.find((r) => r.component === component && r.via === via);
}
