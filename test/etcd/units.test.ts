import { Crc32c } from '../../src/etcd/crc32c.js';
import { fnv64a } from '../../src/etcd/bbolt.js';
import { decodeKeyValue, parseRevision } from '../../src/etcd/mvcc.js';
import { classifyValue, parseRegistryKey } from '../../src/etcd/kubernetes.js';
import { humanizeBytes, renderStatusTable } from '../../src/etcd/render.js';

describe('the pieces etcdctl and bbolt use, checked against known answers', () => {
  it('CRC-32C and FNV-1a 64 check values', () => {
    expect(new Crc32c().update(Buffer.from('123456789')).digest()).toBe(0xe3069283);
    expect(new Crc32c().update(Buffer.from('1234')).update(Buffer.from('56789')).digest()).toBe(0xe3069283);
    expect(fnv64a(Buffer.from('a'))).toBe(0xaf63dc4c8601ec8cn);
  });

  it.each([
    [0, '0 B'], [9, '9 B'], [10, '10 B'], [999, '999 B'], [1000, '1.0 kB'], [20480, '20 kB'], [40960, '41 kB'],
    [20500, '20 kB'], [21500, '22 kB'], [970752, '971 kB'], [2211840, '2.2 MB'], [2147483648, '2.1 GB'],
  ])('go-humanize Bytes(%d) = %s (Go rounds an exact half to even)', (n, s) => {
    expect(humanizeBytes(n)).toBe(s);
  });

  it('a wide row widens its column and centres the header, as tablewriter does', () => {
    expect(renderStatusTable({ hash: 0xabc, revision: 1234567890123, totalKey: 5, totalSize: 8192 })).toBe(
      '+------+---------------+------------+------------+\n' +
      '| HASH |   REVISION    | TOTAL KEYS | TOTAL SIZE |\n' +
      '+------+---------------+------------+------------+\n' +
      '|  abc | 1234567890123 |          5 |     8.2 kB |\n' +
      '+------+---------------+------------+------------+\n',
    );
  });

  it('revision keys: main, sub, tombstone; anything else refused', () => {
    const k = Buffer.alloc(18);
    k.writeBigUInt64BE(42n, 0);
    k[8] = 0x5f;
    k.writeBigUInt64BE(3n, 9);
    k[17] = 0x74;
    expect(parseRevision(k)).toEqual({ main: 42, sub: 3, tombstone: true });
    expect(parseRevision(k.subarray(0, 17))).toEqual({ main: 42, sub: 3, tombstone: false });
    expect(() => parseRevision(k.subarray(0, 16))).toThrow(/not a revision key/);
  });

  it('mvccpb.KeyValue by hand: all six fields, unknown fields skipped, truncation refused', () => {
    // key "/a", create 5, mod 300, version 2, value "xy", lease -1 (a 10-byte varint), unknown field 9 (fixed32)
    const pb = Buffer.from([0x0a, 0x02, 0x2f, 0x61, 0x10, 0x05, 0x18, 0xac, 0x02, 0x20, 0x02, 0x2a, 0x02, 0x78, 0x79,
      0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x4d, 1, 2, 3, 4]);
    const kv = decodeKeyValue(pb);
    expect(kv).toMatchObject({ createRevision: 5, modRevision: 300, version: 2, lease: -1n });
    expect(kv.key.toString()).toBe('/a');
    expect(kv.value.toString()).toBe('xy');
    expect(() => decodeKeyValue(pb.subarray(0, 13))).toThrow(/runs past the end/);
    expect(() => decodeKeyValue(Buffer.from([0x0b]))).toThrow(/wire type/);
  });

  it.each([
    ['/registry/secrets/default/a', 'secrets', 'default', 'a'],
    ['/registry/nodes/worker-1', 'nodes', null, 'worker-1'],
    ['/registry/services/specs/default/kubernetes', 'services/specs', 'default', 'kubernetes'],
    ['/registry/services/endpoints/default/kubernetes', 'services/endpoints', 'default', 'kubernetes'],
    ['/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', 'apiextensions.k8s.io/customresourcedefinitions', null, 'widgets.example.com'],
    ['/registry/example.com/widgets/team-a/w1', 'example.com/widgets', 'team-a', 'w1'],
    ['compact_rev_key', '(other)', null, 'compact_rev_key'],
  ])('%s is %s %s/%s', (key, resource, namespace, name) => {
    expect(parseRegistryKey(key)).toEqual({ resource, namespace, name });
  });

  it.each([
    ['k8s:enc:aescbc:v1:key1:\x01\x02', 'encrypted', 'aescbc:v1:key1'],
    ['k8s:enc:aesgcm:v1:k2:abc', 'encrypted', 'aesgcm:v1:k2'],
    ['k8s:enc:secretbox:v1:sb:abc', 'encrypted', 'secretbox:v1:sb'],
    ['k8s:enc:kms:v1:vault:abc', 'encrypted', 'kms:v1:vault'],
    ['k8s:enc:kms:v2:kms-plugin:\x0a\x0b', 'encrypted', 'kms:v2:kms-plugin'],
    ['k8s\x00\x0a\x0bv1', 'protobuf', null],
    ['  {"kind":"Widget"}', 'json', null],
    ['hello', 'other', null],
  ])('%j is %s', (value, kind, provider) => {
    expect(classifyValue(Buffer.from(value, 'latin1'))).toEqual({ kind, provider });
  });
});
