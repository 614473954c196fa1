/**
 * The one place that turns what the user named as a node into its model: a directory or a tar
 * archive is scanned, a snapshot is validated and taken as it is (src/source/node-input.ts decides
 * which, from the bytes). Every command and the library come here.
 */
import type { NodeModel } from '../model/types.js';
import type { TreeLimits } from '../source/file-tree.js';
import { InputError } from '../source/open.js';
import { openNodeInput } from '../source/node-input.js';
import type { ArchiveLimits } from '../source/tar.js';
import type { ScanOptions } from './types.js';
import { scanTree } from './index.js';

export interface LoadNodeOptions extends ScanOptions {
  /** How to name the input in error messages (the path as the user typed it); default the path. */
  label?: string;
  limits?: Partial<TreeLimits>;
  archiveLimits?: Partial<ArchiveLimits>;
}

/** Reads a node input into its model. Throws InputError (exit 2) when it cannot be read at all. */
export async function loadNode(path: string, options: LoadNodeOptions = {}): Promise<NodeModel> {
  const { label, limits, archiveLimits, ...scan } = options;
  try {
    const input = await openNodeInput(path, { label, limits, archiveLimits });
    return input.kind === 'model' ? input.model : scanTree(input.tree, scan);
  } catch (err) {
    if (err instanceof InputError && label !== undefined && label !== path) throw new InputError(err.message.split(path).join(label));
    throw err;
  }
}

/** The same as loadNode: the name `kdiff scan` and the library use. */
export const scanNode = loadNode;
