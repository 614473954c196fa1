/**
 * kdiff's public API: named exports only, for ESM `import` and CommonJS `require` (Node >= 20.19).
 * Reference and examples: docs/library.md. Nothing exported here prints or exits the process.
 */
export type * from './model/types.js';

export {
  scanNode,
  loadSnapshot,
  diffNodes,
  auditNodes,
  formatReport,
  filterReport,
  diffSnapshots,
  type ScanNodeOptions,
  type AuditNodeInput,
  type AuditNodesOptions,
  type OutputFormat,
  type FormatOptions,
  type DiffOptions,
} from './api.js';

/** kdiff.yaml: parse it, and the categories and defaults it speaks of. */
export {
  parseConfig,
  parseFailOn,
  rulesFromDifferences,
  ConfigError,
  CATEGORIES,
  DEFAULT_FAIL_ON,
  type IgnoreRule,
  type KdiffConfig,
} from './audit/rules.js';

/** etcd snapshots and member databases, read without etcd. */
export {
  readEtcdSnapshot,
  etcdDbSummary,
  EtcdFormatError,
  type EtcdSnapshot,
  type EtcdStatus,
  type EtcdDbSummary,
  type ReadOptions as EtcdReadOptions,
  type TrailerCheck,
} from './etcd/snapshot.js';
export { encryptionSummary, type EncryptionSummary, type EncryptionRow, type SecretsVerdict } from './etcd/encryption.js';
export type { EtcdDiff, EtcdKeyChange, EtcdResourceCount, EtcdSide, KeyFacts } from './etcd/diff.js';

/** The secret removal every output goes through, for tools that print config documents of their own. */
export { redactSecrets, isSecretKey } from './scan/configs/redact.js';

/** Lower level: scan a FileTree you built (a directory, or your own backend). */
export { scanTree } from './scan/index.js';
export type { ScanOptions } from './scan/types.js';
export { FileTree } from './source/file-tree.js';
export { openDirectory, InputError } from './source/open.js';
