/**
 * Turns what the user named as a node into a tree to scan. The one place that decides what kind of
 * input a path is: tar archives and snapshots are added here.
 */
import type { NodeModel } from '../model/types.js';
import type { FileTree } from '../source/file-tree.js';
import { openDirectory } from '../source/open.js';
import type { ScanOptions } from './types.js';
import { scanTree } from './index.js';

export interface NodeInput {
  /** The path as the user gave it (for labels and messages, never in the model). */
  label: string;
  tree: FileTree;
}

/** Opens a node input. Throws InputError (exit 2) when the path cannot be read at all. */
export async function openNodeInput(path: string): Promise<NodeInput> {
  const { tree } = openDirectory(path);
  return { label: path, tree };
}

/** Opens and scans a node input into its model. */
export async function scanNode(path: string, options: ScanOptions = {}): Promise<NodeModel> {
  const input = await openNodeInput(path);
  return scanTree(input.tree, options);
}
