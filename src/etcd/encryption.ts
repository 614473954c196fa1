/** Encryption at rest, counted from the latest value of every live key, per resource. */
import { classifyValue, parseRegistryKey } from './kubernetes.js';
import type { LatestKey } from './snapshot.js';

export interface EncryptionRow {
  resource: string;
  values: number;
  encrypted: number;
  /** Stored by the identity provider: the object itself (protobuf or JSON). */
  plain: number;
  /** Neither an encryption prefix nor a Kubernetes object: not written by the apiserver, or unrecognised. */
  other: number;
  /** Encrypted values by `<provider>:<version>:<key name>`, e.g. `aescbc:v1:key1`. */
  providers: Record<string, number>;
}

export type SecretsVerdict = 'encrypted' | 'partly-encrypted' | 'not-encrypted' | 'absent';

export interface EncryptionSummary {
  resources: EncryptionRow[];
  secrets: SecretsVerdict;
  /** One sentence for an audit: "Secrets in this backup are ...". */
  message: string;
}

export function encryptionSummary(keys: readonly LatestKey[]): EncryptionSummary {
  const rows = new Map<string, EncryptionRow>();
  for (const k of keys) {
    if (k.deletedAt !== null) continue;
    const { resource } = parseRegistryKey(k.key);
    let row = rows.get(resource);
    if (!row) {
      row = { resource, values: 0, encrypted: 0, plain: 0, other: 0, providers: {} };
      rows.set(resource, row);
    }
    row.values++;
    const c = classifyValue(k.kv.value);
    if (c.kind === 'encrypted') {
      row.encrypted++;
      const p = c.provider ?? 'unknown';
      row.providers[p] = (row.providers[p] ?? 0) + 1;
    } else if (c.kind === 'other') row.other++;
    else row.plain++;
  }
  const resources = [...rows.values()].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  for (const r of resources) r.providers = Object.fromEntries(Object.entries(r.providers).sort(([a], [b]) => (a < b ? -1 : 1)));
  const s = rows.get('secrets');
  let secrets: SecretsVerdict;
  let message: string;
  if (!s) {
    secrets = 'absent';
    message = 'There are no Secrets in this backup.';
  } else if (s.encrypted === s.values) {
    secrets = 'encrypted';
    message = `Secrets in this backup are encrypted: all ${s.values} (${providerList(s)}).`;
  } else if (s.encrypted === 0) {
    secrets = 'not-encrypted';
    message = `Secrets in this backup are NOT encrypted: ${s.values} of ${s.values} stored without an encryption provider.`;
  } else {
    secrets = 'partly-encrypted';
    message = `Secrets in this backup are only partly encrypted: ${s.values - s.encrypted} of ${s.values} stored without an encryption provider (${providerList(s)} on the rest).`;
  }
  return { resources, secrets, message };
}

export function providerList(row: EncryptionRow): string {
  return Object.entries(row.providers)
    .map(([p, n]) => `${p} (${n})`)
    .join(', ');
}
