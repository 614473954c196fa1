/** Node inputs for the differ: the shared loader, under the name the diff and audit commands use. */
import type { NodeModel } from '../model/types.js';
import { loadNode, type LoadNodeOptions } from '../scan/node-input.js';

/** `options.name`: how to name the input in messages (the path as the user gave it). */
export async function loadNodeModel(path: string, options: { name?: string } & Omit<LoadNodeOptions, 'label'> = {}): Promise<NodeModel> {
  const { name, ...rest } = options;
  return loadNode(path, { ...rest, label: name });
}
