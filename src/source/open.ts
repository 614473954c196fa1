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

/** Opens a directory as a node tree, mounted according to what it holds. `hints` are shared by the trees of one fleet (see ListingHints). */
export function openDirectory(
  path: string,
  limits?: Partial<TreeLimits>,
  known?: boolean | Stats,
  hints?: ListingHints,
): { tree: FileTree; kind: DirectoryKind } {
  let stat: Stats;
  let entries: Dirent[];
  try {
    stat = typeof known === 'object' ? known : statSync(path);
    if (!stat.isDirectory()) throw new InputError(`${path} is not a directory`);
    entries = readdirSync(path, { withFileTypes: true });
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file or directory`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: cannot be read (${code ?? String(err)})`);
  }
  const kind = detectDirectoryKind(entries.map((e) => e.name));
  // The root's stat and listing are kept: the tree would otherwise ask for both again.
  const dir = new DirectoryBackend(path, { stat, entries });
  const backend = kind === 'root' ? dir : new MountBackend(dir, MOUNT_POINTS[kind]);
  return { tree: new FileTree(path, backend, limits, hints), kind };
}
