/**
 * validStoredKey checks ranges by bytes and the curve equation on the point's hex; here it must
 * agree with the plain BigInt statement of the check on valid keys and on every edge of the ranges.
 */
import { generateKeyPairSync } from 'node:crypto';
import { validStoredKey } from '../../../src/scan/pki/keys.js';

const CURVES = [
  {
    name: 'P-256',
    size: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  {
    name: 'P-384',
    size: 48,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
];

function toBytes(v: bigint, size: number): Buffer {
  return Buffer.from(v.toString(16).padStart(2 * size, '0'), 'hex');
}

function fromBytes(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

/** The check as a formula over BigInts. */
function reference(c: (typeof CURVES)[number], d: Uint8Array, point: Uint8Array): boolean {
  if (point.length !== 1 + 2 * c.size || point[0] !== 4) return false;
  const k = fromBytes(d);
  const x = fromBytes(point.subarray(1, 1 + c.size));
  const y = fromBytes(point.subarray(1 + c.size));
  if (k < 1n || k >= c.n || x >= c.p || y >= c.p) return false;
  return (y * y - (x * x * x - 3n * x + c.b)) % c.p === 0n;
}

describe.each(CURVES)('validStoredKey on $name', (c) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: c.name });
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d as string, 'base64url');
  const x = Buffer.from(jwk.x as string, 'base64url');
  const y = Buffer.from(jwk.y as string, 'base64url');
  const point = Buffer.concat([Buffer.from([4]), x, y]);

  it('accepts a generated key pair', () => {
    expect(validStoredKey(c, d, point)).toBe(true);
    expect(reference(c, d, point)).toBe(true);
  });

  it('agrees with the BigInt formula at the edges of every range', () => {
    const scalars = [0n, 1n, c.n - 1n, c.n, c.n + 1n, (1n << BigInt(8 * c.size)) - 1n].map((v) => toBytes(v, c.size));
    scalars.push(Buffer.alloc(0), Buffer.concat([Buffer.from([0, 0]), d]), Buffer.concat([Buffer.from([1]), d]), d.subarray(1));
    const coords = [0n, 1n, c.p - 1n, c.p, c.p + 1n, fromBytes(x), fromBytes(y), fromBytes(x) + c.p].map((v) =>
      v < 1n << BigInt(8 * c.size) ? toBytes(v, c.size) : null,
    );
    const points: Buffer[] = [point, point.subarray(1), Buffer.concat([Buffer.from([2]), x, y]), Buffer.concat([point, Buffer.from([0])])];
    for (const cx of coords) for (const cy of coords) if (cx && cy) points.push(Buffer.concat([Buffer.from([4]), cx, cy]));
    let accepted = 0;
    for (const s of scalars) {
      for (const p of points) {
        const want = reference(c, s, p);
        expect([s.toString('hex'), p.toString('hex'), validStoredKey(c, s, p)]).toEqual([s.toString('hex'), p.toString('hex'), want]);
        if (want) accepted++;
      }
    }
    // the key's own point with each in-range scalar: 1, n-1, the key's d with leading zeros, and d itself
    expect(accepted).toBeGreaterThanOrEqual(4);
  });
});
