/** systemd scanner. Owned by helper A; placeholder. */
import type { FileTree } from '../../source/file-tree.js';
import type { SystemdScan } from '../types.js';

export function scanSystemd(tree: FileTree): SystemdScan {
  void tree;
  return { units: [], components: [], findings: [] };
}
