/** Reading etcd's data (snapshots and member databases) without etcd. */
export { BoltDb, BoltFormatError, type BoltMeta, type BoltLimits, type BoltEntry } from './bbolt.js';
export { decodeKeyValue, parseRevision, type KeyValue, type Revision } from './mvcc.js';
export { classifyValue, parseRegistryKey, type RegistryKey, type ValueClass, type ValueKind } from './kubernetes.js';
export {
  readEtcdSnapshot,
  etcdDbSummary,
  checkTrailer,
  EtcdFormatError,
  type EtcdSnapshot,
  type EtcdStatus,
  type EtcdDbSummary,
  type TrailerCheck,
  type LatestKey,
  type EtcdMvccMeta,
} from './snapshot.js';
