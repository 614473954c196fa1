/**
 * Opens what the user named as a node, for the differ: a directory (scanned) or a snapshot
 * (`kdiff scan --format json`). Strict snapshot validation and archives come later in src/source/.
 */
import { readFile, stat } from 'node:fs/promises';
import type { NodeModel } from '../model/types.js';
import { InputError, openDirectory } from '../source/open.js';
import { scanTree } from '../scan/index.js';

const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** `options.name`: how to name the input in messages (the path as the user gave it). */
export async function loadNodeModel(path: string, options: { name?: string } = {}): Promise<NodeModel> {
  try {
    return await load(path);
  } catch (err) {
    if (err instanceof InputError && options.name !== undefined && options.name !== path) {
      throw new InputError(err.message.split(path).join(options.name));
    }
    throw err;
  }
}

async function load(path: string): Promise<NodeModel> {
  let isDirectory: boolean;
  let size: number;
  try {
    const st = await stat(path);
    isDirectory = st.isDirectory();
    size = st.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file or directory`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: cannot be read (${code ?? String(err)})`);
  }
  if (isDirectory) return scanTree(openDirectory(path).tree);
  if (/\.json$/i.test(path)) {
    if (size > MAX_SNAPSHOT_BYTES) throw new InputError(`${path}: snapshot larger than ${MAX_SNAPSHOT_BYTES} bytes`);
    return parseSnapshot(await readFile(path, 'utf8'), path);
  }
  throw new InputError(`${path}: not a directory or a snapshot (.json); archives are not supported yet`);
}

/** A snapshot's node, with the fields the differ walks checked and missing lists filled in. */
export function parseSnapshot(text: string, path: string): NodeModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const d = doc as { kdiff?: unknown; schemaVersion?: unknown; node?: unknown };
  if (!d || typeof d !== 'object' || d.kdiff !== 'snapshot') throw new InputError(`${path}: not a kdiff snapshot (no "kdiff": "snapshot")`);
  if (d.schemaVersion !== 1) throw new InputError(`${path}: snapshot schemaVersion ${String(d.schemaVersion)} is not supported (expected 1)`);
  if (!d.node || typeof d.node !== 'object' || Array.isArray(d.node)) throw new InputError(`${path}: snapshot has no "node" object`);
  const n = d.node as Record<string, unknown>;
  for (const list of ['components', 'certificates', 'kubeconfigs', 'configs', 'findings', 'extraStaticPods', 'styleEvidence', 'roleEvidence']) {
    if (n[list] === undefined) n[list] = [];
    else if (!Array.isArray(n[list])) throw new InputError(`${path}: snapshot node.${list} is not a list`);
  }
  for (const c of n.components as Array<Record<string, unknown>>) {
    if (!c || typeof c.name !== 'string') throw new InputError(`${path}: a snapshot component has no name`);
    c.flags ??= [];
    c.sources ??= [];
    c.image ??= null;
    c.binary ??= null;
    c.version ??= null;
    c.enabled ??= null;
    if (!Array.isArray(c.flags)) throw new InputError(`${path}: flags of ${c.name} is not a list`);
  }
  for (const c of n.certificates as Array<Record<string, unknown>>) {
    for (const l of ['sans', 'keyUsage', 'extKeyUsage', 'roles']) c[l] ??= [];
  }
  for (const k of n.kubeconfigs as Array<Record<string, unknown>>) {
    k.roles ??= [];
    k.groups ??= [];
    k.server ??= null;
    k.user ??= null;
    k.ca ??= null;
    k.clientCertificate ??= null;
  }
  n.style ??= 'unknown';
  n.role ??= 'unknown';
  return n as unknown as NodeModel;
}
