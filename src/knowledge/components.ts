/**
 * Which component a binary, image or unit runs: data, looked up by the scanners.
 */
export const CORE_COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
] as const;

export interface ComponentBinary {
  /** Canonical component name. */
  component: string;
  /** Executable file names that run it, in any directory. */
  binaries: readonly string[];
  /** `hyperkube <name>` sub-commands that run it (old short names included). */
  hyperkube?: readonly string[];
  /** A sub-command that must follow the binary (`docker daemon` of Docker < 1.12). */
  subcommand?: string;
}

/** Binaries of the components kdiff recognizes in a daemon's command line. */
export const COMPONENT_BINARIES: readonly ComponentBinary[] = [
  { component: 'kube-apiserver', binaries: ['kube-apiserver'], hyperkube: ['kube-apiserver', 'apiserver'] },
  {
    component: 'kube-controller-manager',
    binaries: ['kube-controller-manager'],
    hyperkube: ['kube-controller-manager', 'controller-manager'],
  },
  { component: 'kube-scheduler', binaries: ['kube-scheduler'], hyperkube: ['kube-scheduler', 'scheduler'] },
  { component: 'kubelet', binaries: ['kubelet'], hyperkube: ['kubelet'] },
  { component: 'kube-proxy', binaries: ['kube-proxy'], hyperkube: ['kube-proxy', 'proxy'] },
  { component: 'etcd', binaries: ['etcd'] },
  { component: 'containerd', binaries: ['containerd'] },
  // KTHW 2017 ran containerd's CRI plugin as its own daemon
  { component: 'cri-containerd', binaries: ['cri-containerd'] },
  // CentOS 7's docker package names its daemon dockerd-current
  { component: 'dockerd', binaries: ['dockerd', 'dockerd-current'] },
  { component: 'dockerd', binaries: ['docker'], subcommand: 'daemon' },
  { component: 'crio', binaries: ['crio'] },
  { component: 'flanneld', binaries: ['flanneld'] },
];

/** Binaries that run one of the components above as a sub-command. */
export const MULTICALL_BINARIES = ['hyperkube'] as const;

/** Programs that only start another: `sh -c "..."`, `env VAR=x cmd`. */
export const SHELL_WRAPPERS = ['sh', 'bash', 'dash'] as const;
export const ENV_WRAPPERS = ['env'] as const;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** An argument as text: the words of a command line may be given as they are or with their sources. */
function argText(a: string | { text: string }): string {
  return typeof a === 'string' ? a : a.text;
}

/** Canonical component name for a binary path or argv[0] (`/usr/local/bin/kube-apiserver`, `hyperkube apiserver`). */
export function componentFromCommand(argv0: string, args: readonly string[] = []): string | null {
  return identifyCommand(argv0, args)?.component ?? null;
}

/**
 * The component a command runs and how many leading arguments name it (1 for `hyperkube apiserver`
 * and `docker daemon`, 0 otherwise), or null when it runs none kdiff knows.
 */
export function identifyCommand(
  argv0: string,
  args: readonly string[] | readonly { text: string }[] = [],
): { component: string; subcommandArgs: number } | null {
  const base = baseName(argv0);
  if ((MULTICALL_BINARIES as readonly string[]).includes(base)) {
    const found = (args as ReadonlyArray<string | { text: string }>).find((a) => !argText(a).startsWith('-'));
    if (found === undefined) return null;
    const sub = argText(found);
    const hit = COMPONENT_BINARIES.find((c) => c.hyperkube?.includes(sub));
    return hit ? { component: hit.component, subcommandArgs: 1 } : null;
  }
  for (const c of COMPONENT_BINARIES) {
    if (!c.binaries.includes(base)) continue;
    if (c.subcommand === undefined) return { component: c.component, subcommandArgs: 0 };
    if (args.length > 0 && argText(args[0]) === c.subcommand) return { component: c.component, subcommandArgs: 1 };
  }
  return null;
}
