/**
 * Opens what the user named as a node: a node's filesystem root, an /etc/kubernetes directory,
 * a systemd unit directory (each mounted where it sits on a node), a tar archive, or a snapshot.
 */
import { statSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { FileTree, type ListingHints, type TreeLimits } from './file-tree.js';
import { DirectoryBackend } from './directory.js';
import { MountBackend } from './mount.js';

export type DirectoryKind = 'root' | 'etc-kubernetes' | 'systemd-units';

/** Thrown for inputs that cannot be read at all (the CLI turns it into exit 2). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

const ROOT_DIRS = ['etc', 'var', 'usr', 'lib', 'run', 'opt'];

/** Decides what kind of directory a node input is, from the names at its top. */
export function detectDirectoryKind(names: readonly string[]): DirectoryKind {
  if (names.some((n) => ROOT_DIRS.includes(n))) return 'root';
  if (names.some((n) => n === 'manifests' || n === 'pki' || /\.conf$/.test(n) && /^(admin|kubelet|scheduler|controller-manager|super-admin|bootstrap-kubelet)\.conf$/.test(n))) {
    return 'etc-kubernetes';
  }
  if (names.some((n) => /\.(service|socket|target|timer)(\.d|\.wants|\.requires)?$/.test(n))) return 'systemd-units';
  return 'root';
}

export const MOUNT_POINTS: Record<DirectoryKind, string[]> = {
  root: [],
  'etc-kubernetes': ['etc', 'kubernetes'],
  'systemd-units': ['etc', 'systemd', 'system'],
};

/**
 * Opens a directory as a node tree, mounted according to what it holds. `hints` are shared by the
 * trees of one fleet (see ListingHints). `entries`: the directory's listing when the caller has
 * read it already (it then is a directory, and is neither stat'ed nor listed again).
 */
export function openDirectory(
  path: string,
  limits?: Partial<TreeLimits>,
  known?: boolean | Stats,
  hints?: ListingHints,
  entries?: Dirent[],
): { tree: FileTree; kind: DirectoryKind } {
  let stat: Stats | null = typeof known === 'object' ? known : null;
  let listed = entries;
  try {
    if (listed === undefined) {
      if (stat === null) stat = statSync(path);
      if (!stat.isDirectory()) throw new InputError(`${path} is not a directory`);
      listed = readdirSync(path, { withFileTypes: true });
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file or directory`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: cannot be read (${code ?? String(err)})`);
  }
  const kind = detectDirectoryKind(listed.map((e) => e.name));
  // The root's listing (and stat, when there is one) is kept: the tree would otherwise ask again.
  const dir = new DirectoryBackend(path, { stat, entries: listed });
  const backend = kind === 'root' ? dir : new MountBackend(dir, MOUNT_POINTS[kind]);
  return { tree: new FileTree(path, backend, limits, hints), kind };
}
