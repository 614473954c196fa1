/** Scans a node tree into the normalized model. Owned by helper B; placeholder. */
import type { NodeModel } from '../model/types.js';
import type { FileTree } from '../source/file-tree.js';
import type { ScanOptions } from './types.js';

export function scanTree(tree: FileTree, options: ScanOptions = {}): NodeModel {
  void options;
  return {
    style: 'unknown',
    styleEvidence: [],
    role: 'unknown',
    roleEvidence: [],
    components: [],
    extraStaticPods: [],
    certificates: [],
    kubeconfigs: [],
    configs: [],
    findings: tree.findings(),
  };
}
