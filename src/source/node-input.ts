/**
 * Opens whatever the user named as a node: a directory (a node's root, an /etc/kubernetes copy, a
 * systemd unit directory), a `.tar` / `.tar.gz` archive, or a snapshot from `kdiff scan --format json`.
 * The kind is decided from the bytes, never from the file name alone.
 */
// fs.promises, not node:fs/promises: the bundle then loads it only when a file (not a directory) is opened.
import { constants, promises as fsp, readdirSync, statSync, type Dirent } from 'node:fs';
import type { NodeModel } from '../model/types.js';
import { ListingHints, type FileTree, type TreeLimits } from './file-tree.js';
import { InputError, openDirectory, type DirectoryKind } from './open.js';
import { openTar, sniffArchive, type ArchiveLimits } from './tar.js';

export type NodeInput =
  | { kind: 'tree'; tree: FileTree; label: string; layout: DirectoryKind; format: 'directory' | 'tar' }
  | { kind: 'model'; model: NodeModel; label: string; format: 'snapshot' };

export interface NodeInputOptions {
  /** Shown in reports and messages; default: the path as given. */
  label?: string;
  limits?: Partial<TreeLimits>;
  archiveLimits?: Partial<ArchiveLimits>;
}

/** Node inputs opened one after another are mostly one fleet's nodes, laid out alike: what reading one taught makes the next cheaper. */
const fleetHints = new ListingHints();

function errorFor(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError(`${path}: no such file or directory`);
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`${path}: permission denied`);
  return new InputError(`${path}: cannot be read (${code ?? String(err)})`);
}

async function head(path: string): Promise<Buffer> {
  // O_NONBLOCK: the path was checked to be a regular file, but it may have been swapped for a FIFO.
  const fh = await fsp.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** What a node input holds, from its first bytes. */
export function sniffNodeInput(first: Buffer): 'tar' | 'gzip' | 'snapshot' | 'zstd' | 'xz' | 'bzip2' | null {
  const archive = sniffArchive(first);
  if (archive) return archive;
  let i = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0;
  while (i < first.length && (first[i] === 0x20 || first[i] === 0x0a || first[i] === 0x0d || first[i] === 0x09)) i++;
  return first[i] === 0x7b ? 'snapshot' : null;
}

/**
 * Opens a node input. A missing or unreadable path, an unknown file kind, an archive nothing could
 * be read from, or a snapshot out of shape is an InputError (the CLI exits 2); problems inside a
 * readable input are findings on the tree.
 */
export async function openNodeInput(path: string, options: NodeInputOptions = {}): Promise<NodeInput> {
  const label = options.label ?? path;
  // Nearly every input of a fleet audit is a directory: listed at once, it needs no stat (ENOTDIR
  // says it is something else). Any error but the two common ones takes the path below, which
  // words it as it always did.
  let entries: Dirent[] | undefined;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file or directory`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
  }
  if (entries !== undefined) {
    const { tree, kind } = openDirectory(path, options.limits, undefined, fleetHints, entries);
    return { kind: 'tree', tree, label, layout: kind, format: 'directory' };
  }
  let st;
  try {
    // Synchronous: a fleet audit opens thousands of inputs, and a thread-pool round trip each costs more than the call.
    st = statSync(path);
  } catch (err) {
    throw errorFor(path, err);
  }
  if (st.isDirectory()) {
    const { tree, kind } = openDirectory(path, options.limits, st, fleetHints);
    return { kind: 'tree', tree, label, layout: kind, format: 'directory' };
  }
  if (!st.isFile()) throw new InputError(`${path}: not a directory, archive or snapshot (a special file)`);
  let first: Buffer;
  try {
    first = await head(path);
  } catch (err) {
    throw errorFor(path, err);
  }
  const what = sniffNodeInput(first);
  switch (what) {
    case 'tar':
    case 'gzip': {
      const { tree, kind } = await openTar(path, { label, limits: options.limits, archiveLimits: options.archiveLimits });
      return { kind: 'tree', tree, label, layout: kind, format: 'tar' };
    }
    case 'snapshot':
      return { kind: 'model', model: (await import('./snapshot.js')).loadSnapshot(path).node, label, format: 'snapshot' };
    case 'zstd':
    case 'xz':
    case 'bzip2':
      throw new InputError(`${path}: a ${what}-compressed archive; kdiff reads .tar and .tar.gz (make it with \`tar czf\`)`);
    default:
      throw new InputError(`${path}: not a directory, a .tar/.tar.gz archive or a kdiff snapshot`);
  }
}
