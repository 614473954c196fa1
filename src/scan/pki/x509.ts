/**
 * One X.509 certificate: Node's crypto.X509Certificate for signatures, keys and fingerprints,
 * the DER reader for names, dates and extensions. RFC 5280: https://www.rfc-editor.org/rfc/rfc5280
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { MAX_MEMO_INPUT, RepeatCache, contentKey, deepFreeze } from '../../util/memo.js';
import { certificateKey } from './keys.js';
import { TAG, bytes, children, decodeIntegerHex, decodeOid, decodeString, decodeTime, formatIp, readTlv, type Tlv } from './der.js';

/** One attribute of a distinguished name, in the order the certificate holds them. */
export interface NameAttribute {
  type: string;
  value: string;
}

export interface CertFacts {
  x509: X509Certificate;
  /** RFC 4514 order (most specific first), as Go's pkix.Name prints it: `CN=kube-apiserver-kubelet-client,O=system:masters`. */
  subject: string;
  issuer: string;
  subjectAttrs: NameAttribute[];
  serial: string;
  notBefore: string;
  notAfter: string;
  sans: string[];
  isCA: boolean;
  keyUsage: string[];
  extKeyUsage: string[];
  publicKey: string;
  /** DER of the SubjectPublicKeyInfo as the certificate holds it. */
  spki: Buffer;
  /** Digest of the normalized public key, to match private keys by (see keys.ts). */
  publicKeyDigest: string;
  sha256: string;
}

const NAME_TYPES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'SERIALNUMBER',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const KEY_USAGE_BITS = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EKU_NAMES: Record<string, string> = {
  '2.5.29.37.0': 'any',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function escapeRdnValue(v: string): string {
  let out = v.replace(/([\\,+"<>;=])/g, '\\$1');
  if (/^[ #]/.test(out)) out = `\\${out}`;
  if (/ $/.test(out)) out = `${out.slice(0, -1)}\\ `;
  // Control characters would break one-line output.
  return out.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function parseName(buf: Uint8Array, t: Tlv): NameAttribute[] | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const rdns = children(buf, t);
  if (!rdns) return null;
  const out: NameAttribute[] = [];
  for (const rdn of rdns) {
    if (rdn.tag !== TAG.SET) return null;
    const atvs = children(buf, rdn);
    if (!atvs) return null;
    for (const atv of atvs) {
      const parts = atv.tag === TAG.SEQUENCE ? children(buf, atv) : null;
      if (!parts || parts.length !== 2 || parts[0].tag !== TAG.OID) return null;
      const oid = decodeOid(buf, parts[0]);
      if (!oid) return null;
      const value = decodeString(buf, parts[1]) ?? `#${Buffer.from(bytes(buf, parts[1])).toString('hex')}`;
      out.push({ type: NAME_TYPES[oid] ?? oid, value });
    }
  }
  return out;
}

export function formatName(attrs: readonly NameAttribute[]): string {
  return [...attrs].reverse().map((a) => `${a.type}=${escapeRdnValue(a.value)}`).join(',');
}

interface Extensions {
  sans: string[];
  keyUsage: string[];
  extKeyUsage: string[];
}

function parseKeyUsage(buf: Uint8Array, t: Tlv): string[] | null {
  if (t.tag !== TAG.BIT_STRING) return null;
  const b = bytes(buf, t);
  if (b.length < 1) return null;
  const out: string[] = [];
  for (let i = 0; i < KEY_USAGE_BITS.length; i++) {
    const byte = 1 + Math.floor(i / 8);
    if (byte < b.length && b[byte] & (0x80 >> i % 8)) out.push(KEY_USAGE_BITS[i]);
  }
  return out;
}

function parseSans(buf: Uint8Array, t: Tlv): string[] | null {
  const names = t.tag === TAG.SEQUENCE ? children(buf, t) : null;
  if (!names) return null;
  const out: string[] = [];
  for (const n of names) {
    const v = Buffer.from(bytes(buf, n));
    switch (n.tag) {
      case 0x82:
        out.push(`DNS:${v.toString('latin1')}`);
        break;
      case 0x87: {
        const ip = formatIp(v);
        out.push(ip ? `IP:${ip}` : `IP:#${v.toString('hex')}`);
        break;
      }
      case 0x81:
        out.push(`email:${v.toString('latin1')}`);
        break;
      case 0x86:
        out.push(`URI:${v.toString('latin1')}`);
        break;
      default:
        break;
    }
  }
  return out;
}

function parseExtensions(buf: Uint8Array, t: Tlv | undefined): Extensions | null {
  const ext: Extensions = { sans: [], keyUsage: [], extKeyUsage: [] };
  if (!t) return ext;
  const seq = children(buf, t);
  if (!seq || seq.length !== 1 || seq[0].tag !== TAG.SEQUENCE) return null;
  const list = children(buf, seq[0]);
  if (!list) return null;
  for (const e of list) {
    const parts = e.tag === TAG.SEQUENCE ? children(buf, e) : null;
    if (!parts || parts.length < 2 || parts[0].tag !== TAG.OID) return null;
    const oid = decodeOid(buf, parts[0]);
    const octets = parts[parts.length - 1];
    if (octets.tag !== TAG.OCTET_STRING) return null;
    const inner = readTlv(buf, octets.start, octets.end);
    if (!inner || inner.end !== octets.end) return null;
    if (oid === '2.5.29.17') {
      const sans = parseSans(buf, inner);
      if (!sans) return null;
      ext.sans = sans;
    } else if (oid === '2.5.29.15') {
      const ku = parseKeyUsage(buf, inner);
      if (!ku) return null;
      ext.keyUsage = ku;
    } else if (oid === '2.5.29.37') {
      const oids = inner.tag === TAG.SEQUENCE ? children(buf, inner) : null;
      if (!oids) return null;
      for (const o of oids) {
        const id = o.tag === TAG.OID ? decodeOid(buf, o) : null;
        if (!id) return null;
        ext.extKeyUsage.push(EKU_NAMES[id] ?? id);
      }
    }
  }
  return ext;
}

/** `RSA 2048`, `EC P-256`, `Ed25519`. */
export function describeKey(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const d = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') {
    const name = type === 'rsa' ? 'RSA' : type === 'rsa-pss' ? 'RSA-PSS' : 'DSA';
    return d.modulusLength ? `${name} ${d.modulusLength}` : name;
  }
  if (type === 'ec') return `EC ${CURVES[d.namedCurve ?? ''] ?? d.namedCurve ?? ''}`.trim();
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ed448') return 'Ed448';
  return type;
}

/** Parsed certificates by content: a fleet's CA is parsed once, not once per node. Values are frozen. */
const certCache = new RepeatCache<{ cert: CertFacts } | { error: string }>(512);

/**
 * Parses a DER certificate; the error is a short reason safe to print. The result is shared with
 * every other caller that parsed the same bytes, and frozen: copy before changing anything.
 */
export function parseCertificate(der: Buffer): { cert: CertFacts } | { error: string } {
  const key = contentKey('x509', der);
  let out = certCache.get(key);
  if (!out) {
    out = parseUncached(der);
    if ('cert' in out) {
      deepFreeze(out.cert.subjectAttrs);
      for (const a of [out.cert.sans, out.cert.keyUsage, out.cert.extKeyUsage]) Object.freeze(a);
      Object.freeze(out.cert);
    }
    if (der.length <= MAX_MEMO_INPUT) certCache.offer(key, Object.freeze(out));
  }
  return out;
}

function parseUncached(der: Buffer): { cert: CertFacts } | { error: string } {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    return { error: 'not a valid X.509 certificate' };
  }
  const top = readTlv(der, 0);
  const outer = top && top.tag === TAG.SEQUENCE ? children(der, top) : null;
  const tbs = outer && outer[0]?.tag === TAG.SEQUENCE ? children(der, outer[0]) : null;
  if (!tbs) return { error: 'certificate structure could not be read' };
  let i = 0;
  if (tbs[0]?.tag === 0xa0) i++;
  const [serialT, , issuerT, validityT, subjectT, spkiT] = tbs.slice(i, i + 6);
  if (!spkiT || serialT.tag !== TAG.INTEGER || validityT.tag !== TAG.SEQUENCE) return { error: 'certificate structure could not be read' };
  const validity = children(der, validityT);
  const issuer = parseName(der, issuerT);
  const subject = parseName(der, subjectT);
  const serial = decodeIntegerHex(der, serialT);
  const notBefore = validity?.length === 2 ? decodeTime(der, validity[0]) : null;
  const notAfter = validity?.length === 2 ? decodeTime(der, validity[1]) : null;
  const extensions = parseExtensions(der, tbs.slice(i + 6).find((t) => t.tag === 0xa3));
  if (!issuer || !subject || !serial || !notBefore || !notAfter || !extensions) {
    return { error: 'certificate fields could not be read' };
  }
  let publicKey = 'unknown';
  let publicKeyDigest = '';
  // The SubjectPublicKeyInfo TLV starts where the subject ends.
  const spki = Buffer.from(der.subarray(subjectT.end, spkiT.end));
  try {
    const k = certificateKey(spki, () => x509.publicKey, describeKey);
    publicKey = k.description;
    publicKeyDigest = k.digest;
  } catch {
    // an algorithm OpenSSL does not know: keep the rest
  }
  return {
    cert: {
      x509,
      subject: formatName(subject),
      issuer: formatName(issuer),
      subjectAttrs: subject,
      serial,
      notBefore,
      notAfter,
      sans: [...extensions.sans].sort(),
      isCA: x509.ca,
      keyUsage: extensions.keyUsage,
      extKeyUsage: extensions.extKeyUsage,
      publicKey,
      spki,
      publicKeyDigest,
      sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    },
  };
}

/** Values of one attribute type in a name (`CN`, `O`). */
export function nameValues(attrs: readonly NameAttribute[], type: string): string[] {
  return attrs.filter((a) => a.type === type).map((a) => a.value);
}
