/**
 * Private and public keys, reduced to the one thing kdiff keeps of them: the public key they hold,
 * to match a certificate with its key. Private key material never leaves this module.
 *
 * The public key is kept as a normalized id (EC: curve and uncompressed point; RSA: modulus and
 * exponent; others: a SHA-256 digest of the SPKI DER as OpenSSL writes it), so a certificate's key
 * and the key derived from a private key compare equal however each was encoded. The id itself,
 * not a digest of it: it is public, only ever compared, and a digest costs more (~22K instructions,
 * two a node in a fleet audit) than comparing the ~140 characters of a P-256 id. EC and RSA keys are read from their
 * DER here (RFC 5915 ECPrivateKey, RFC 8017 RSAPrivateKey, RFC 5208 PKCS #8): OpenSSL's decoder
 * costs ~0.3 ms a key, which dominates a fleet audit. Anything unusual goes through OpenSSL.
 */
import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { RepeatCache } from '../../util/memo.js';
import { sha256 } from '../../util/digest.js';
import { TAG, bytes, children, decodeOid, readTlv, type Tlv } from './der.js';
import type { PemBlock } from './pem.js';
import { PRIVATE_KEY_LABELS, PUBLIC_KEY_LABELS } from './pem.js';

// Module constants, not TAG.X: in the CommonJS bundle each TAG.X is two property loads, run unoptimized.
const { BIT_STRING, INTEGER, OCTET_STRING, OID, SEQUENCE } = TAG;

export type KeyRead =
  | { kind: 'private'; publicKeyId: string }
  | { kind: 'public'; publicKeyId: string }
  /** Encrypted or of an unknown algorithm: present, but not comparable. */
  | { kind: 'opaque' }
  | { kind: 'invalid' };

const DER_TYPES: Record<string, { type: 'pkcs1' | 'sec1' | 'pkcs8' | 'spki'; private: boolean }> = {
  'RSA PRIVATE KEY': { type: 'pkcs1', private: true },
  'EC PRIVATE KEY': { type: 'sec1', private: true },
  'PRIVATE KEY': { type: 'pkcs8', private: true },
  'PUBLIC KEY': { type: 'spki', private: false },
  'RSA PUBLIC KEY': { type: 'pkcs1', private: false },
};

const OID_EC = '1.2.840.10045.2.1';
const OID_RSA = '1.2.840.113549.1.1.1';
/** Named curves by OID: the JWK name, OpenSSL's ECDH name, and the field size in bytes. */
const CURVES: Record<string, { name: string; ecdh: string; size: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', ecdh: 'prime256v1', size: 32 },
  '1.3.132.0.34': { name: 'P-384', ecdh: 'secp384r1', size: 48 },
  '1.3.132.0.35': { name: 'P-521', ecdh: 'secp521r1', size: 66 },
};
const CURVE_BY_NAME: Record<string, { name: string; ecdh: string; size: number }> = Object.fromEntries(
  Object.values(CURVES).map((c) => [c.name, c]),
);

/** SHA-256 of a public key's SubjectPublicKeyInfo DER. */
export function spkiDigest(spki: Buffer): string {
  return sha256(spki);
}

function unsignedHex(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return Buffer.from(b.subarray(i)).toString('hex');
}

function ecId(curve: string, point: Uint8Array): string {
  return `ec:${curve}:${Buffer.from(point.buffer, point.byteOffset, point.length).toString('hex')}`;
}

function rsaId(n: Uint8Array, e: Uint8Array): string {
  return `rsa:${unsignedHex(n)}:${unsignedHex(e)}`;
}

/** The normalized public key of a KeyObject (the slow, general path). */
function idOfKeyObject(key: KeyObject): string {
  try {
    const jwk = key.export({ format: 'jwk' });
    if (jwk.kty === 'EC' && jwk.crv && jwk.x && jwk.y && CURVE_BY_NAME[jwk.crv]) {
      return ecId(jwk.crv, Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]));
    }
    if (jwk.kty === 'RSA' && jwk.n && jwk.e) return rsaId(Buffer.from(jwk.n, 'base64url'), Buffer.from(jwk.e, 'base64url'));
  } catch {
    // no JWK form (DSA, RSA-PSS ...): the SPKI below
  }
  return `spki:${spkiDigest(key.export({ type: 'spki', format: 'der' }))}`;
}

/** An RSAPublicKey or RSAPrivateKey (two-prime) SEQUENCE as an id, or null. */
function rsaFromSequence(buf: Uint8Array, t: Tlv | null, isPrivate: boolean): string | null {
  if (!t || t.tag !== SEQUENCE) return null;
  const parts = children(buf, t);
  if (!parts || !parts.every((p) => p.tag === INTEGER)) return null;
  if (isPrivate) {
    // version 0 and n, e, d, p, q, dp, dq, qinv; multi-prime keys go through OpenSSL
    if (parts.length !== 9 || bytes(buf, parts[0]).length !== 1 || buf[parts[0].start] !== 0) return null;
    return rsaId(bytes(buf, parts[1]), bytes(buf, parts[2]));
  }
  return parts.length === 2 ? rsaId(bytes(buf, parts[0]), bytes(buf, parts[1])) : null;
}

/** Field prime, curve coefficient b (a = -3) and group order of the NIST curves (SEC 2, FIPS 186-4 D.1.2). */
const CURVE_PARAMS: Record<string, { p: bigint; b: bigint; n: bigint }> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

/** p and n big-endian, of the curve's size: the range checks compare bytes, no BigInt needed. */
const CURVE_BYTES: Record<string, { p: Uint8Array; n: Uint8Array }> = Object.fromEntries(
  Object.entries(CURVE_PARAMS).map(([name, c]) => {
    const size = CURVE_BY_NAME[name].size;
    const of = (v: bigint): Uint8Array => Buffer.from(v.toString(16).padStart(2 * size, '0'), 'hex');
    return [name, { p: of(c.p), n: of(c.n) }];
  }),
);

/** Big-endian unsigned v[from, to) < limit (v may have leading zero bytes); bounds, not a subarray: two of the three checks read inside the point. */
function below(v: Uint8Array, from: number, to: number, limit: Uint8Array): boolean {
  let i = from;
  for (; i < to - limit.length; i++) if (v[i] !== 0) return false;
  const pad = limit.length - (to - i);
  for (let j = 0; j < limit.length; j++) {
    const a = j < pad ? 0 : v[i + j - pad];
    if (a !== limit[j]) return a < limit[j];
  }
  return false;
}

function nonZero(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return true;
  return false;
}

/** A scalar in [1, n) and an uncompressed point on the curve: what OpenSSL accepts as an EC key pair. */
export function validStoredKey(curve: { name: string; size: number }, d: Uint8Array, point: Uint8Array): boolean {
  return validStoredPoint(curve, d, point, Buffer.from(point.buffer, point.byteOffset, point.length).toString('hex'));
}

/**
 * validStoredKey with the point's hex given (the key's id holds it too). Ranges by bytes and x, y
 * parsed from that hex: a BigInt per field by way of Buffer#toString cost ~9K instructions each.
 */
function validStoredPoint(curve: { name: string; size: number }, d: Uint8Array, point: Uint8Array, pointHex: string): boolean {
  const c = CURVE_PARAMS[curve.name];
  const limits = CURVE_BYTES[curve.name];
  if (!c || !limits || point.length !== 1 + 2 * curve.size || point[0] !== 4) return false;
  if (!nonZero(d) || !below(d, 0, d.length, limits.n)) return false;
  if (!below(point, 1, 1 + curve.size, limits.p) || !below(point, 1 + curve.size, point.length, limits.p)) return false;
  const x = BigInt(`0x${pointHex.slice(2, 2 + 2 * curve.size)}`);
  const y = BigInt(`0x${pointHex.slice(2 + 2 * curve.size)}`);
  return (y * y - (x * x * x - 3n * x + c.b)) % c.p === 0n;
}

/** The public point of an ECPrivateKey, computed from the private scalar; null to leave it to OpenSSL. */
function ecFromPrivate(buf: Uint8Array, t: Tlv | null, outerCurve: string | null): string | null {
  if (!t || t.tag !== SEQUENCE) return null;
  const parts = children(buf, t);
  if (!parts || parts.length < 2 || parts[0].tag !== INTEGER || parts[1].tag !== OCTET_STRING) return null;
  if (bytes(buf, parts[0]).length !== 1 || buf[parts[0].start] !== 1) return null;
  let curveOid = outerCurve;
  let embedded: Uint8Array | null = null;
  for (let i = 2; i < parts.length; i++) {
    const p = parts[i];
    const inner = readTlv(buf, p.start, p.end);
    if (!inner || inner.end !== p.end) return null;
    if (p.tag === 0xa0) {
      if (inner.tag !== OID) return null;
      const oid = decodeOid(buf, inner);
      if (curveOid && oid !== curveOid) return null;
      curveOid = oid;
    } else if (p.tag === 0xa1) {
      if (inner.tag !== BIT_STRING || buf[inner.start] !== 0) return null;
      embedded = buf.subarray(inner.start + 1, inner.end);
    } else return null;
  }
  const curve = curveOid ? CURVES[curveOid] : undefined;
  if (!curve) return null;
  const d = bytes(buf, parts[1]);
  if (d.length !== curve.size) return null;
  return ecKeyId(curve, d, embedded);
}

/** The id of an EC key pair from its scalar (of the curve's size) and stored public key, if any; null to leave it to OpenSSL. */
function ecKeyId(curve: { name: string; ecdh: string; size: number }, d: Uint8Array, embedded: Uint8Array | null): string | null {
  // OpenSSL takes a stored public key as it is (it never recomputes it from the scalar), so a
  // valid stored point is the key's public key: no scalar multiplication (~50 µs) needed.
  if (embedded) {
    const hex = Buffer.from(embedded.buffer, embedded.byteOffset, embedded.length).toString('hex');
    // The id as ecId writes it, from the hex the check read.
    if (validStoredPoint(curve, d, embedded, hex)) return `ec:${curve.name}:${hex}`;
  }
  let point: Buffer;
  try {
    const ecdh = createECDH(curve.ecdh);
    ecdh.setPrivateKey(Buffer.from(d));
    point = ecdh.getPublicKey();
  } catch {
    return null;
  }
  // A stored public key that is not the one the scalar gives: let OpenSSL decide, as it always did.
  if (embedded && !point.equals(embedded)) return null;
  return ecId(curve.name, point);
}

/**
 * The fixed bytes of a P-256 key as OpenSSL and Go write it (kubelet's client keys): a PKCS #8
 * PrivateKeyInfo up to the scalar and from it to the public point, and a SubjectPublicKeyInfo up to
 * the point. A key with these bytes is read from where the scalar and point lie, without walking
 * its TLVs: the walk (fromPkcs8, fromSpki) finds exactly these there.
 */
const P256_PKCS8_HEAD = Buffer.from('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420', 'hex');
const P256_PKCS8_MID = Buffer.from('a144034200', 'hex');
const P256_SPKI_HEAD = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const P256 = CURVES['1.2.840.10045.3.1.7'];

/** The id of a PKCS #8 PrivateKeyInfo, or null. */
function fromPkcs8(der: Buffer): string | null {
  if (der.length === 138 && P256_PKCS8_HEAD.compare(der, 0, 36) === 0 && P256_PKCS8_MID.compare(der, 68, 73) === 0) {
    return ecKeyId(P256, der.subarray(36, 68), der.subarray(73, 138));
  }
  const top = readTlv(der, 0);
  if (!top || top.tag !== SEQUENCE || top.end !== der.length) return null;
  const parts = children(der, top);
  if (!parts || parts.length < 3 || parts[0].tag !== INTEGER || parts[1].tag !== SEQUENCE || parts[2].tag !== OCTET_STRING) return null;
  const alg = children(der, parts[1]);
  if (!alg || alg.length < 1 || alg[0].tag !== OID) return null;
  const oid = decodeOid(der, alg[0]);
  const inner = readTlv(der, parts[2].start, parts[2].end);
  if (!inner || inner.end !== parts[2].end) return null;
  if (oid === OID_RSA) return rsaFromSequence(der, inner, true);
  if (oid === OID_EC && alg.length === 2 && alg[1].tag === OID) return ecFromPrivate(der, inner, decodeOid(der, alg[1]));
  return null;
}

/** The normalized id of a SubjectPublicKeyInfo read from DER, or null when it is not a plain EC or RSA key. */
function fromSpki(der: Uint8Array, t: Tlv | null): { id: string; description: string } | null {
  if (!t || t.tag !== SEQUENCE) return null;
  // t is the TLV at 0 (every caller reads it there), so these bytes are its header and start.
  if (t.end === 91 && P256_SPKI_HEAD.compare(der, 0, 27) === 0) return { id: ecId(P256.name, der.subarray(26, 91)), description: `EC ${P256.name}` };
  const parts = children(der, t);
  if (!parts || parts.length !== 2 || parts[0].tag !== SEQUENCE || parts[1].tag !== BIT_STRING) return null;
  const alg = children(der, parts[0]);
  if (!alg || alg.length < 1 || alg[0].tag !== OID || der[parts[1].start] !== 0) return null;
  const oid = decodeOid(der, alg[0]);
  const key = der.subarray(parts[1].start + 1, parts[1].end);
  if (oid === OID_EC && alg.length === 2 && alg[1].tag === OID) {
    const curve = CURVES[decodeOid(der, alg[1]) ?? ''];
    if (!curve || key.length !== 1 + 2 * curve.size || key[0] !== 4) return null;
    return { id: ecId(curve.name, key), description: `EC ${curve.name}` };
  }
  if (oid === OID_RSA) {
    const seq = readTlv(key, 0);
    if (!seq || seq.end !== key.length) return null;
    const nt = seq.tag === SEQUENCE ? children(key, seq) : null;
    if (!nt || nt.length !== 2 || nt[0].tag !== INTEGER || nt[1].tag !== INTEGER) return null;
    const n = bytes(key, nt[0]);
    let i = 0;
    while (i < n.length - 1 && n[i] === 0) i++;
    const bits = (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]));
    return { id: rsaId(n, bytes(key, nt[1])), description: `RSA ${bits}` };
  }
  return null;
}

/** The id, description and type of a plain EC or RSA SubjectPublicKeyInfo read from DER, or null (then OpenSSL reads it). */
export function spkiKeyFast(spki: Uint8Array): { id: string; description: string; type: 'ec' | 'rsa' } | null {
  const top = readTlv(spki, 0);
  const fast = top && top.end === spki.length ? fromSpki(spki, top) : null;
  if (!fast) return null;
  return { id: fast.id, description: fast.description, type: fast.id.startsWith('ec:') ? 'ec' : 'rsa' };
}

/**
 * The public-key id and description of a certificate's SubjectPublicKeyInfo (its DER), read
 * directly for EC and RSA keys, else through the KeyObject `fallback` gives (which may throw).
 */
export function certificateKey(spki: Uint8Array, fallback: () => KeyObject, describe: (k: KeyObject) => string): { id: string; description: string } {
  const fast = fromSpki(spki, readTlv(spki, 0));
  if (fast) return fast;
  const key = fallback();
  return { id: idOfKeyObject(key), description: describe(key) };
}

/** Keys OpenSSL had to read, by a digest of their DER: the DER reader's keys cost less to read again than to hash. */
const keyCache = new RepeatCache<KeyRead>(256);

type DerType = { type: 'pkcs1' | 'sec1' | 'pkcs8' | 'spki'; private: boolean };

/** The normalized public key id read from the DER alone, or null when OpenSSL must read the key. */
function fastId(der: Buffer, t: DerType): string | null {
  if (t.type === 'pkcs8') return fromPkcs8(der);
  const top = readTlv(der, 0);
  const whole = top !== null && top.end === der.length ? top : null;
  if (t.type === 'sec1') return ecFromPrivate(der, whole, null);
  if (t.type === 'pkcs1') return rsaFromSequence(der, whole, t.private);
  return fromSpki(der, whole)?.id ?? null;
}

function readWithOpenSsl(der: Buffer, t: DerType): KeyRead {
  try {
    const id = idOfKeyObject(
      t.private
        ? createPublicKey(createPrivateKey({ key: der, format: 'der', type: t.type as 'pkcs1' | 'sec1' | 'pkcs8' }))
        : createPublicKey({ key: der, format: 'der', type: t.type as 'pkcs1' | 'spki' }),
    );
    return t.private ? { kind: 'private', publicKeyId: id } : { kind: 'public', publicKeyId: id };
  } catch {
    return { kind: 'invalid' };
  }
}

export function readKeyBlock(block: PemBlock): KeyRead {
  if (block.label === 'ENCRYPTED PRIVATE KEY') return { kind: 'opaque' };
  const t = DER_TYPES[block.label];
  if (!t) return PRIVATE_KEY_LABELS.has(block.label) || PUBLIC_KEY_LABELS.has(block.label) ? { kind: 'opaque' } : { kind: 'invalid' };
  const fast = fastId(block.der, t);
  if (fast !== null) {
    return t.private ? { kind: 'private', publicKeyId: fast } : { kind: 'public', publicKeyId: fast };
  }
  // Keyed by a digest of the DER (never the key itself); a key seen on many nodes is read once.
  const key = `${block.label}:${sha256(block.der, 'base64')}`;
  let read = keyCache.get(key);
  if (!read) {
    read = readWithOpenSsl(block.der, t);
    keyCache.offer(key, read);
  }
  return { ...read };
}

/**
 * A P-256 SubjectPublicKeyInfo as OpenSSL and Go write it: the fixed head (whose OIDs and lengths
 * are plain DER) and a 64-byte point ending the 91 bytes. Plain DER throughout, without a walk.
 */
export function plainP256Spki(spki: Uint8Array): boolean {
  return spki.length === 91 && P256_SPKI_HEAD.compare(spki, 0, 27) === 0;
}

const P256_DESCRIPTION = `EC ${P256.name}`;

/**
 * What spkiKeyFast gives for a SubjectPublicKeyInfo plainP256Spki accepts (fromSpki reads such a
 * key by the same head), or null for any other: one look at the head, no TLV read.
 */
export function plainP256SpkiKey(spki: Uint8Array): { id: string; description: string; type: 'ec' | 'rsa' } | null {
  if (!plainP256Spki(spki)) return null;
  return { id: ecId(P256.name, spki.subarray(26, 91)), description: P256_DESCRIPTION, type: 'ec' };
}
