/**
 * Which component a binary, image or unit runs. Owned by the systemd work (helper A); placeholder.
 */
export const CORE_COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
] as const;

/** Canonical component name for a binary path or argv[0] (`/usr/local/bin/kube-apiserver`, `hyperkube apiserver`). */
export function componentFromCommand(argv0: string, args: readonly string[] = []): string | null {
  const base = argv0.split('/').pop() ?? argv0;
  if ((CORE_COMPONENTS as readonly string[]).includes(base)) return base;
  void args;
  return null;
}
