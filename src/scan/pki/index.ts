/** Certificates and kubeconfigs. Owned by helper C; placeholder API. */
import type { Certificate, Component, ConfigFile, Finding, Kubeconfig } from '../../model/types.js';
import type { FileTree } from '../../source/file-tree.js';
import type { FileReference, ScanOptions } from '../types.js';

/** Every file a component's flags or config files point at (certificates, keys, CAs, kubeconfigs). */
export function collectReferences(components: readonly Component[], configs: readonly ConfigFile[]): FileReference[] {
  void components;
  void configs;
  return [];
}

/** Certificates and kubeconfigs of a node: followed from references first, then the usual directories. */
export function scanCredentials(
  tree: FileTree,
  refs: readonly FileReference[],
  options: ScanOptions = {},
): { certificates: Certificate[]; kubeconfigs: Kubeconfig[]; findings: Finding[] } {
  void tree;
  void refs;
  void options;
  return { certificates: [], kubeconfigs: [], findings: [] };
}
