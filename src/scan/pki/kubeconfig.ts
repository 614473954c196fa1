/**
 * Kubeconfig reader: which server, which CA, which credential the current context uses.
 * Format: https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 * (client-go clientcmd/api/v1 types). Never throws; secrets (token, client-key-data) are reduced
 * here to what may be shown: a bootstrap token's public id, a private key's public key (keys.ts's id).
 */
import { load } from 'js-yaml';
import type { KubeconfigAuth } from '../../model/types.js';
import { Lru, MAX_MEMO_INPUT, deepFreeze } from '../../util/memo.js';
import { sha256 } from '../../util/digest.js';
import { readKeyBlock } from './keys.js';
import { PRIVATE_KEY_LABELS, readPem } from './pem.js';

/** Embedded data (`*-data`, base64 of PEM), or a file path as written (relative to the kubeconfig's directory). */
export type DataOrFile = { kind: 'embedded'; data: Buffer; placeholder: boolean } | { kind: 'file'; path: string } | { kind: 'empty' };

export interface KubeconfigRead {
  /** False when the text is not a YAML mapping at all (then nothing else is set). */
  valid: boolean;
  server: string | null;
  ca: DataOrFile | null;
  insecureSkipTLSVerify: boolean;
  auth: KubeconfigAuth;
  clientCertificate: DataOrFile | null;
  /** The client key's public-key id (keys.ts) when embedded and readable; a file path when a file; never the key. */
  clientKey: { kind: 'embedded'; publicKeyId: string | null } | { kind: 'file'; path: string } | { kind: 'empty' } | null;
  /** `system:bootstrap:<id>` for a bootstrap token, the exec command, or null. */
  tokenIdentity: string | null;
  execCommand: string | null;
  /** Problems a person can fix, never quoting the file. */
  problems: string[];
}

const BOOTSTRAP_TOKEN = /^([a-z0-9]{6})\.[a-z0-9]{16}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/** Finds `name` in a kubeconfig list (`clusters`, `users`, `contexts`) and returns the inner object. */
function named(list: unknown, name: string | null, inner: string): Record<string, unknown> | null {
  if (!Array.isArray(list)) return null;
  const entries = list.filter(isRecord);
  const hit = name === null ? (entries.length === 1 ? entries[0] : undefined) : entries.find((e) => str(e.name) === name);
  return hit && isRecord(hit[inner]) ? (hit[inner] as Record<string, unknown>) : null;
}

function dataOrFile(obj: Record<string, unknown>, dataKey: string, fileKey: string): DataOrFile | null {
  if (dataKey in obj) {
    const v = str(obj[dataKey]);
    if (v === null || v.trim() === '') return { kind: 'empty' };
    return { kind: 'embedded', data: Buffer.from(v.replace(/\s+/g, ''), 'base64'), placeholder: v.trim() === 'REDACTED' };
  }
  const f = str(obj[fileKey]);
  if (f !== null && f.trim() !== '') return { kind: 'file', path: f.trim() };
  return null;
}

function emptyRead(problem: string): KubeconfigRead {
  return {
    valid: false,
    server: null,
    ca: null,
    insecureSkipTLSVerify: false,
    auth: 'other',
    clientCertificate: null,
    clientKey: null,
    tokenIdentity: null,
    execCommand: null,
    problems: [problem],
  };
}

/** Reads a kubeconfig's text. A YAML error is reported by line only: the text may hold secrets. */
const kubeconfigCache = new Lru<string, KubeconfigRead>(256);

/**
 * Reads a kubeconfig. The result is shared with every caller that read the same text (a fleet's
 * kubelet.conf is often byte-identical) and frozen.
 */
export function parseKubeconfig(text: string): KubeconfigRead {
  if (text.length > MAX_MEMO_INPUT) return deepFreeze(parseKubeconfigUncached(text));
  const key = sha256(text, 'base64');
  let read = kubeconfigCache.get(key);
  if (!read) {
    read = deepFreeze(parseKubeconfigUncached(text));
    kubeconfigCache.set(key, read);
  }
  return read;
}

function parseKubeconfigUncached(text: string): KubeconfigRead {
  let doc: unknown;
  try {
    doc = load(text, { maxAliases: 100, maxDepth: 50 });
  } catch (err) {
    const line = (err as { mark?: { line?: number } }).mark?.line;
    return emptyRead(typeof line === 'number' ? `is not valid YAML (line ${line + 1})` : 'is not valid YAML');
  }
  if (!isRecord(doc)) return emptyRead('is not a kubeconfig (not a YAML mapping)');
  const problems: string[] = [];
  const current = str(doc['current-context']);
  let clusterName: string | null = null;
  let userName: string | null = null;
  const ctx = current ? named(doc.contexts, current, 'context') : named(doc.contexts, null, 'context');
  if (ctx) {
    clusterName = str(ctx.cluster);
    userName = str(ctx.user);
  } else if (current) {
    problems.push(`names current-context "${current}", which is not among its contexts`);
  }
  const cluster = named(doc.clusters, clusterName, 'cluster');
  const user = named(doc.users, userName, 'user');
  if (!cluster) problems.push('has no cluster for its current context');
  const read: KubeconfigRead = {
    valid: true,
    server: cluster ? str(cluster.server) : null,
    ca: cluster ? dataOrFile(cluster, 'certificate-authority-data', 'certificate-authority') : null,
    insecureSkipTLSVerify: cluster ? cluster['insecure-skip-tls-verify'] === true : false,
    auth: 'other',
    clientCertificate: null,
    clientKey: null,
    tokenIdentity: null,
    execCommand: null,
    problems,
  };
  if (!user) return read;
  const cert = dataOrFile(user, 'client-certificate-data', 'client-certificate');
  if (cert) {
    read.auth = 'client-certificate';
    read.clientCertificate = cert;
    const key = dataOrFile(user, 'client-key-data', 'client-key');
    if (key?.kind === 'embedded') {
      const block = readPem(key.data).blocks.find((b) => PRIVATE_KEY_LABELS.has(b.label));
      const k = block ? readKeyBlock(block) : null;
      read.clientKey = { kind: 'embedded', publicKeyId: k && k.kind === 'private' ? k.publicKeyId : null };
    } else read.clientKey = key;
  } else if ('token' in user || 'tokenFile' in user) {
    read.auth = 'token';
    const m = (str(user.token) ?? '').trim().match(BOOTSTRAP_TOKEN);
    if (m) read.tokenIdentity = `system:bootstrap:${m[1]}`;
  } else if (isRecord(user.exec)) {
    read.auth = 'exec';
    read.execCommand = str(user.exec.command);
  }
  return read;
}
