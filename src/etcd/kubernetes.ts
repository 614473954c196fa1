/**
 * How the kube-apiserver lays out its objects in etcd, and how it marks values encrypted at rest.
 * Keys: k8s.io/apiserver storage (`<prefix>/<resource>/<namespace>/<name>`, cluster-scoped
 * `<prefix>/<resource>/<name>`; the prefix is `/registry` unless --etcd-prefix says otherwise;
 * resources of non-core groups carry their group: `/registry/<group>/<resource>/...`; services
 * live under `services/specs` and endpoints under `services/endpoints`).
 * Values: k8s.io/apiserver/pkg/storage/value/encrypt (aescbc, aesgcm, secretbox, kms envelopes
 * prefix the ciphertext with `k8s:enc:<provider>:v<n>:<key name>:`); the identity provider stores
 * the plain object: protobuf behind the 4 bytes `k8s\0`, or JSON.
 */

export interface RegistryKey {
  /** `secrets`, `services/specs`, `apiextensions.k8s.io/customresourcedefinitions`; `(other)` outside the prefix. */
  resource: string;
  namespace: string | null;
  name: string;
}

export const REGISTRY_PREFIX = '/registry/';
export const OTHER_RESOURCE = '(other)';

/** Splits a key the way the apiserver builds it. Keys outside `/registry/` go to `(other)`. */
export function parseRegistryKey(key: string): RegistryKey {
  if (!key.startsWith(REGISTRY_PREFIX)) return { resource: OTHER_RESOURCE, namespace: null, name: key };
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  let take = 1;
  // Built-in groups are stored without their group; others (CRDs, aggregated) keep it, and a
  // group name always has a dot where a core resource name never does.
  if (parts[0].includes('.') && parts.length >= 3) take = 2;
  else if (parts[0] === 'services' && (parts[1] === 'specs' || parts[1] === 'endpoints') && parts.length >= 3) take = 2;
  const resource = parts.slice(0, take).join('/');
  const rest = parts.slice(take);
  if (rest.length === 2) return { resource, namespace: rest[0], name: rest[1] };
  if (rest.length === 0) return { resource: OTHER_RESOURCE, namespace: null, name: key };
  return { resource, namespace: null, name: rest.join('/') };
}

export type ValueKind = 'encrypted' | 'protobuf' | 'json' | 'other';

export interface ValueClass {
  kind: ValueKind;
  /** For encrypted values: `aescbc:v1:key1`, `kms:v2:vault-kms`, `secretbox:v1:key3` (names, never key material). */
  provider: string | null;
}

const ENC_PREFIX = Buffer.from('k8s:enc:');
const PROTO_PREFIX = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const NAME_RE = /^[A-Za-z0-9._\-/]{1,128}$/;

/** Which storage transformer wrote a value, from its prefix. The rest of the value is never looked at. */
export function classifyValue(value: Buffer): ValueClass {
  if (value.subarray(0, ENC_PREFIX.length).equals(ENC_PREFIX)) {
    // k8s:enc:<provider>:<version>:<key name>:<ciphertext>; the name is read up to its colon.
    const head = value.subarray(ENC_PREFIX.length, ENC_PREFIX.length + 200).toString('latin1');
    const fields = head.split(':');
    const [provider, version, name] = fields;
    if (fields.length >= 4 && /^[a-z0-9]+$/.test(provider) && /^v[0-9]+$/.test(version) && NAME_RE.test(name)) {
      return { kind: 'encrypted', provider: `${provider}:${version}:${name}` };
    }
    if (fields.length >= 2 && /^[a-z0-9]+$/.test(provider)) return { kind: 'encrypted', provider };
    return { kind: 'encrypted', provider: 'unknown' };
  }
  if (value.subarray(0, 4).equals(PROTO_PREFIX)) return { kind: 'protobuf', provider: null };
  const first = value.find((c) => c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d);
  if (first === 0x7b) return { kind: 'json', provider: null };
  return { kind: 'other', provider: null };
}
