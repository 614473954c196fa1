/**
 * One X.509 certificate, read from its DER. RFC 5280: https://www.rfc-editor.org/rfc/rfc5280
 *
 * A certificate whose every part the DER reader understands (strict DER, version 3, the usual
 * extensions, EC or RSA keys and signatures) is read here alone: OpenSSL's parse costs ~0.1 ms a
 * certificate, which dominates a fleet audit. Anything else goes through Node's X509Certificate as
 * it always did; both give the same facts (a test holds them equal on every fixture certificate).
 */
import { X509Certificate, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { Lru, MAX_MEMO_INPUT, RepeatCache } from '../../util/memo.js';
import { certificateKey, plainP256SpkiKey, spkiKeyFast } from './keys.js';
import { sha256 as sha256Of } from '../../util/digest.js';
import { TAG, bytes, children, childrenDer, decodeIntegerHex, decodeOid, decodeString, decodeTime, formatIp, readTlv, readTlvDer, validOid, view, type Tlv } from './der.js';
import type { Certificate } from '../../model/types.js';

// Module constants, not TAG.X: in the CommonJS bundle each TAG.X is two property loads, run unoptimized.
const { BIT_STRING, BOOLEAN, GENERALIZED_TIME, IA5_STRING, INTEGER, OCTET_STRING, OID, PRINTABLE_STRING, SEQUENCE, SET, UTC_TIME, UTF8_STRING } = TAG;

/** One attribute of a distinguished name, in the order the certificate holds them. */
export interface NameAttribute {
  type: string;
  value: string;
}

/**
 * A certificate as read: the model's fields (subject and issuer in RFC 4514 order, most specific
 * first, as Go's pkix.Name prints them: `CN=kube-apiserver-kubelet-client,O=system:masters`) and
 * what matching keys and issuers needs.
 */
export interface CertFacts
  extends Pick<Certificate, 'subject' | 'issuer' | 'serial' | 'notBefore' | 'notAfter' | 'sans' | 'isCA' | 'keyUsage' | 'extKeyUsage' | 'publicKey' | 'sha256'> {
  /** OpenSSL's view; built on first use for a certificate the DER reader read alone. */
  readonly x509: X509Certificate;
  /** What issuer checks need, when the DER reader understood the whole certificate; else null (OpenSSL decides). */
  signed: SignedFacts | null;
  subjectAttrs: NameAttribute[];
  /** DER of the SubjectPublicKeyInfo as the certificate holds it. */
  spki: Buffer;
  /** The normalized public key (id), to match private keys by (see keys.ts). */
  publicKeyId: string;
  /** Date.parse of notBefore and notAfter, worked out with them: a fleet's every scan asks for both. */
  notBeforeMs: number;
  notAfterMs: number;
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

// What escapeRdnValue changes: nearly every value in a kubeadm certificate has none of it.
const RDN_SPECIAL = /[\\,+"<>;=\u0000-\u001f\u007f]|^[ #]| $/;

function escapeRdnValue(v: string): string {
  if (!RDN_SPECIAL.test(v)) return v;
  let out = v.replace(/([\\,+"<>;=])/g, '\\$1');
  if (/^[ #]/.test(out)) out = `\\${out}`;
  if (/ $/.test(out)) out = `${out.slice(0, -1)}\\ `;
  // Control characters would break one-line output.
  return out.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function parseName(buf: Uint8Array, t: Tlv): NameAttribute[] | null {
  if (t.tag !== SEQUENCE) return null;
  const rdns = children(buf, t);
  if (!rdns) return null;
  const out: NameAttribute[] = [];
  for (const rdn of rdns) {
    if (rdn.tag !== SET) return null;
    const atvs = children(buf, rdn);
    if (!atvs) return null;
    for (const atv of atvs) {
      const parts = atv.tag === SEQUENCE ? children(buf, atv) : null;
      if (!parts || parts.length !== 2 || parts[0].tag !== OID) return null;
      const oid = decodeOid(buf, parts[0]);
      if (!oid) return null;
      const value = decodeString(buf, parts[1]) ?? `#${Buffer.from(bytes(buf, parts[1])).toString('hex')}`;
      out.push({ type: NAME_TYPES[oid] ?? oid, value });
    }
  }
  return out;
}

export function formatName(attrs: readonly NameAttribute[]): string {
  let out = '';
  for (let i = attrs.length - 1; i >= 0; i--) out += `${i === attrs.length - 1 ? '' : ','}${attrs[i].type}=${escapeRdnValue(attrs[i].value)}`;
  return out;
}

interface Extensions {
  sans: string[];
  keyUsage: string[];
  extKeyUsage: string[];
}

function parseKeyUsage(buf: Uint8Array, t: Tlv): string[] | null {
  const n = t.end - t.start;
  if (t.tag !== BIT_STRING || n < 1) return null;
  return keyUsageNames((n > 1 ? buf[t.start + 1] : 0) | (n > 2 ? buf[t.start + 2] << 8 : 0));
}

/** The names of key usage bits read as `first byte | second byte << 8` (decipherOnly is the second byte's top bit). */
function keyUsageNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < KEY_USAGE_BITS.length; i++) if (bits & (i < 8 ? 0x80 >> i : 0x8000)) out.push(KEY_USAGE_BITS[i]);
  return out;
}

function parseSans(buf: Buffer, t: Tlv): string[] | null {
  const names = t.tag === SEQUENCE ? children(buf, t) : null;
  return names ? sanTexts(buf, names) : null;
}

/** The GeneralNames of a SAN extension, as read (`DNS:`, `IP:`, `email:`, `URI:`; other kinds skipped). */
function sanTexts(buf: Buffer, names: Tlv[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    switch (n.tag) {
      case 0x82:
        out.push(`DNS:${buf.toString('latin1', n.start, n.end)}`);
        break;
      case 0x87: {
        const v = view(buf, n);
        const ip = formatIp(v);
        out.push(ip ? `IP:${ip}` : `IP:#${v.toString('hex')}`);
        break;
      }
      case 0x81:
        out.push(`email:${buf.toString('latin1', n.start, n.end)}`);
        break;
      case 0x86:
        out.push(`URI:${buf.toString('latin1', n.start, n.end)}`);
        break;
      default:
        break;
    }
  }
  return out;
}

function parseExtensions(buf: Buffer, t: Tlv | undefined): Extensions | null {
  const ext: Extensions = { sans: [], keyUsage: [], extKeyUsage: [] };
  if (!t) return ext;
  const seq = children(buf, t);
  if (!seq || seq.length !== 1 || seq[0].tag !== SEQUENCE) return null;
  const list = children(buf, seq[0]);
  if (!list) return null;
  for (const e of list) {
    const parts = e.tag === SEQUENCE ? children(buf, e) : null;
    if (!parts || parts.length < 2 || parts[0].tag !== OID) return null;
    const oid = decodeOid(buf, parts[0]);
    const octets = parts[parts.length - 1];
    if (octets.tag !== OCTET_STRING) return null;
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
      const oids = inner.tag === SEQUENCE ? children(buf, inner) : null;
      if (!oids) return null;
      for (const o of oids) {
        const id = o.tag === OID ? decodeOid(buf, o) : null;
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
  // The certificate's fingerprint is its content key too: one hash of the DER, not two.
  const sha256 = sha256Of(der);
  const key = `x509:${sha256}`;
  let out = certCache.get(key);
  if (!out) {
    out = parseFast(der, sha256) ?? parseWithOpenSsl(der);
    if ('cert' in out) {
      for (const a of out.cert.subjectAttrs) Object.freeze(a);
      Object.freeze(out.cert.subjectAttrs);
      for (const a of [out.cert.sans, out.cert.keyUsage, out.cert.extKeyUsage]) Object.freeze(a);
      Object.freeze(out.cert);
    }
    if (der.length <= MAX_MEMO_INPUT) certCache.offer(key, Object.freeze(out));
  }
  return out;
}

function parseWithOpenSsl(der: Buffer): { cert: CertFacts } | { error: string } {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    return { error: 'not a valid X.509 certificate' };
  }
  const top = readTlv(der, 0);
  const outer = top && top.tag === SEQUENCE ? children(der, top) : null;
  const tbs = outer && outer[0]?.tag === SEQUENCE ? children(der, outer[0]) : null;
  if (!tbs) return { error: 'certificate structure could not be read' };
  let i = 0;
  if (tbs[0]?.tag === 0xa0) i++;
  const [serialT, , issuerT, validityT, subjectT, spkiT] = tbs.slice(i, i + 6);
  if (!spkiT || serialT.tag !== INTEGER || validityT.tag !== SEQUENCE) return { error: 'certificate structure could not be read' };
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
  let publicKeyId = '';
  // The SubjectPublicKeyInfo TLV starts where the subject ends.
  const spki = Buffer.from(der.subarray(subjectT.end, spkiT.end));
  try {
    const k = certificateKey(spki, () => x509.publicKey, describeKey);
    publicKey = k.description;
    publicKeyId = k.id;
  } catch {
    // an algorithm OpenSSL does not know: keep the rest
  }
  return {
    cert: {
      x509,
      signed: null,
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
      publicKeyId,
      sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
      notBeforeMs: Date.parse(notBefore),
      notAfterMs: Date.parse(notAfter),
    },
  };
}

/** Values of one attribute type in a name (`CN`, `O`). */
export function nameValues(attrs: readonly NameAttribute[], type: string): string[] {
  const out: string[] = [];
  for (const a of attrs) if (a.type === type) out.push(a.value);
  return out;
}

/**
 * The parts of a certificate that decide whether another one issued it, as OpenSSL's
 * X509_check_issued and X509_verify see them (OpenSSL 3.0 crypto/x509/v3_purp.c, x_all.c).
 */
export interface SignedFacts {
  /** The TBSCertificate bytes, as signed. */
  tbs: Buffer;
  hash: 'sha256' | 'sha384' | 'sha512';
  /** The key type the signature algorithm needs of the issuer. */
  signatureKeyType: 'ec' | 'rsa';
  signature: Buffer;
  /** Names in OpenSSL's canonical form (X509_NAME_cmp compares these). */
  subjectCanon: string;
  issuerCanon: string;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** The first two bytes of the key usage bits (OpenSSL's ex_kusage), null without the extension. */
  keyUsageBits: number | null;
  keyType: 'ec' | 'rsa';
  spki: Buffer;
}

const SIGNATURE_ALGORITHMS: Record<string, { hash: SignedFacts['hash']; key: SignedFacts['keyType'] }> = {
  '1.2.840.10045.4.3.2': { hash: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', key: 'ec' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', key: 'rsa' },
};

const EXT_BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_KEY_USAGE = '2.5.29.15';
const EXT_EXT_KEY_USAGE = '2.5.29.37';
const EXT_SAN = '2.5.29.17';
const EXT_SKID = '2.5.29.14';
const EXT_AKID = '2.5.29.35';
const KU_KEY_CERT_SIGN = 0x04;
const EXT_BITS: Readonly<Record<string, number>> = {
  [EXT_BASIC_CONSTRAINTS]: 1,
  [EXT_KEY_USAGE]: 2,
  [EXT_EXT_KEY_USAGE]: 4,
  [EXT_SAN]: 8,
  [EXT_SKID]: 16,
  [EXT_AKID]: 32,
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** An OID with no 0x80 padding in a sub-identifier (OpenSSL refuses padded ones). */
function unpaddedOid(buf: Uint8Array, t: Tlv): boolean {
  if (t.tag !== OID) return false;
  for (let i = t.start; i < t.end; i++) if (buf[i] === 0x80 && (i === t.start || !(buf[i - 1] & 0x80))) return false;
  return true;
}

/** An OID as OpenSSL accepts it (no 0x80 padding in a sub-identifier), decoded. */
function strictOid(buf: Uint8Array, t: Tlv): string | null {
  // Name attributes (2.5.4.x) and certificate extensions (2.5.29.x) are three bytes, x below 128.
  if (t.tag === OID && t.end - t.start === 3 && buf[t.start] === 0x55 && buf[t.start + 2] < 0x80) {
    const b1 = buf[t.start + 1];
    if (b1 === 0x04) return OIDS_2_5_4[buf[t.start + 2]];
    if (b1 === 0x1d) return OIDS_2_5_29[buf[t.start + 2]];
  }
  return unpaddedOid(buf, t) ? decodeOid(buf, t) : null;
}

/** `2.5.4.0` ... `2.5.4.127` and `2.5.29.0` ... `2.5.29.127`, as decodeOid writes them. */
const OIDS_2_5_4 = Array.from({ length: 128 }, (_, i) => `2.5.4.${i}`);
const OIDS_2_5_29 = Array.from({ length: 128 }, (_, i) => `2.5.29.${i}`);

/** A non-negative INTEGER in its minimal encoding (OpenSSL rejects padded integers). */
function plainInteger(buf: Uint8Array, t: Tlv): boolean {
  const n = t.end - t.start;
  if (t.tag !== INTEGER || n === 0 || buf[t.start] & 0x80) return false;
  return n === 1 || buf[t.start] !== 0 || (buf[t.start + 1] & 0x80) !== 0;
}

/**
 * Every TLV in [from, to) is one OpenSSL's decoder takes as it is: DER lengths, strict OIDs (what
 * validOid and unpaddedOid accept), NULL empty, BOOLEAN one byte, plain integers, bit strings with
 * a valid unused-bits count; `depth` is how many constructed values hold these TLVs (at most 8 may
 * be open). One loop with a stack of open values' ends instead of a call per level.
 */
function plainRange(buf: Uint8Array, from: number, to: number, depth: number): boolean {
  // Ends of the constructed values being walked, innermost last.
  const ends = [to];
  let limit = to;
  let pos = from;
  for (;;) {
    if (pos === limit) {
      ends.pop();
      if (ends.length === 0) return true;
      limit = ends[ends.length - 1];
      continue;
    }
    const k = readTlvDer(buf, pos, limit);
    if (!k) return false;
    const { tag, start, end } = k;
    const len = end - start;
    switch (tag) {
      case SEQUENCE:
      case SET:
      case 0xa0:
      case 0xa3:
        if (ends.length + depth > 9) return false;
        ends.push(end);
        limit = end;
        pos = start;
        continue;
      case OID:
        if (!unpaddedOid(buf, k) || !validOid(buf, k)) return false;
        break;
      case 0x05:
        if (len !== 0) return false;
        break;
      case BOOLEAN:
        if (len !== 1) return false;
        break;
      case INTEGER:
        if (!plainInteger(buf, k)) return false;
        break;
      case BIT_STRING:
        if (len < 1 || buf[start] > 7) return false;
        break;
      case OCTET_STRING:
      case UTF8_STRING:
      case PRINTABLE_STRING:
      case IA5_STRING:
      case UTC_TIME:
      case GENERALIZED_TIME:
        break;
      default:
        return false;
    }
    pos = end;
  }
}

const ASCII_SPACE = /[ \t\n\v\f\r]+/g;

// What canonValue changes: a value without any of it is its own canonical form.
const NOT_CANON = /[A-Z\t\n\v\f\r]|^ | $| {2}/;

/** A name value as OpenSSL canonicalizes it (asn1_string_canon): trimmed, spaces collapsed, ASCII lowercased. */
function canonValue(v: string): string {
  if (!NOT_CANON.test(v)) return v;
  return v
    .replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '')
    .replace(ASCII_SPACE, ' ')
    .replace(/[A-Z]+/g, (c) => c.toLowerCase());
}

/** A Name of single-valued RDNs holding UTF8String (valid), PrintableString or IA5String values; else null. */
function plainName(buf: Buffer, t: Tlv): { attrs: NameAttribute[]; canon: string } | null {
  if (t.tag !== SEQUENCE) return null;
  const rdns = childrenDer(buf, t);
  if (!rdns) return null;
  const attrs: NameAttribute[] = [];
  const canon: string[] = [];
  for (const rdn of rdns) {
    const atvs = rdn.tag === SET ? childrenDer(buf, rdn) : null;
    if (!atvs || atvs.length !== 1 || atvs[0].tag !== SEQUENCE) return null;
    const parts = childrenDer(buf, atvs[0]);
    if (!parts || parts.length !== 2) return null;
    const oid = strictOid(buf, parts[0]);
    const vt = parts[1];
    if (!oid || (vt.tag !== UTF8_STRING && vt.tag !== PRINTABLE_STRING && vt.tag !== IA5_STRING)) return null;
    let value: string;
    if (vt.tag === UTF8_STRING) {
      // Valid UTF-8 decodes as decodeString would; invalid goes to OpenSSL.
      try {
        value = utf8.decode(bytes(buf, vt));
      } catch {
        return null;
      }
    } else value = buf.toString('latin1', vt.start, vt.end);
    attrs.push({ type: NAME_TYPES[oid] ?? oid, value });
    canon.push(`${oid}=${JSON.stringify(canonValue(value))}`);
  }
  return { attrs, canon: canon.join(',') };
}

interface StrictExtensions {
  ca: boolean;
  keyUsageBits: number | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** What parseExtensions gives for the same extensions, read in the same pass. */
  extensions: Extensions;
}

/** One extension as strictExtensions reads it; the arrays are frozen (shared by every certificate holding the same bytes). */
interface ExtensionFacts {
  /** Its kind's bit in EXT_BITS. */
  bit: number;
  ca: boolean;
  keyUsageBits: number | null;
  keyUsage: string[] | null;
  extKeyUsage: string[] | null;
  sans: string[] | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
}

/**
 * One Extension SEQUENCE (`e`, inside the extensions' SEQUENCE, so at depth 3 of the TBS) when it
 * is plain DER of a kind OpenSSL caches and decodes without complaint; else null.
 */
function readExtension(buf: Buffer, e: Tlv): ExtensionFacts | null {
  if (!plainRange(buf, e.start, e.end, 4)) return null;
  const parts = childrenDer(buf, e);
  if (!parts || parts.length < 2 || parts.length > 3) return null;
  const oid = strictOid(buf, parts[0]);
  // Only the extensions below are read here (any other sends the certificate to OpenSSL).
  const bit = oid ? EXT_BITS[oid] : undefined;
  if (bit === undefined) return null;
  if (parts.length === 3 && (parts[1].tag !== BOOLEAN || parts[1].end - parts[1].start !== 1 || buf[parts[1].start] !== 0xff)) return null;
  const octets = parts[parts.length - 1];
  if (octets.tag !== OCTET_STRING) return null;
  const inner = readTlvDer(buf, octets.start, octets.end);
  if (!inner || inner.end !== octets.end) return null;
  const n = inner.end - inner.start;
  const out: ExtensionFacts = { bit, ca: false, keyUsageBits: null, keyUsage: null, extKeyUsage: null, sans: null, subjectKeyId: null, authorityKeyId: null };
  if (oid === EXT_BASIC_CONSTRAINTS) {
    const bc = inner.tag === SEQUENCE ? childrenDer(buf, inner) : null;
    if (!bc || bc.length > 2) return null;
    let i = 0;
    if (bc[i]?.tag === BOOLEAN) {
      if (bc[i].end - bc[i].start !== 1 || buf[bc[i].start] !== 0xff) return null;
      out.ca = true;
      i++;
    }
    if (i < bc.length && !(out.ca && plainInteger(buf, bc[i]) && ++i === bc.length)) return null;
  } else if (oid === EXT_KEY_USAGE) {
    if (inner.tag !== BIT_STRING || n < 2 || n > 3) return null;
    const unused = buf[inner.start];
    if (unused > 7 || buf[inner.end - 1] & ((1 << unused) - 1)) return null;
    const bits = buf[inner.start + 1] | (n > 2 ? buf[inner.start + 2] << 8 : 0);
    if (bits === 0) return null;
    out.keyUsageBits = bits;
    out.keyUsage = Object.freeze(keyUsageNames(bits)) as string[];
  } else if (oid === EXT_EXT_KEY_USAGE) {
    const oids = inner.tag === SEQUENCE ? childrenDer(buf, inner) : null;
    if (!oids || oids.length === 0) return null;
    const names: string[] = [];
    for (const o of oids) {
      const id = strictOid(buf, o);
      if (id === null) return null;
      names.push(EKU_NAMES[id] ?? id);
    }
    out.extKeyUsage = Object.freeze(names) as string[];
  } else if (oid === EXT_SAN) {
    const names = inner.tag === SEQUENCE ? childrenDer(buf, inner) : null;
    if (!names || names.length === 0) return null;
    for (const g of names) if (g.tag !== 0x81 && g.tag !== 0x82 && g.tag !== 0x86 && g.tag !== 0x87) return null;
    // The names just read in DER, not walked again (parseSans would read the same TLVs).
    out.sans = Object.freeze(sanTexts(buf, names)) as string[];
  } else if (oid === EXT_SKID) {
    if (inner.tag !== OCTET_STRING) return null;
    out.subjectKeyId = buf.toString('hex', inner.start, inner.end);
  } else if (oid === EXT_AKID) {
    const ids = inner.tag === SEQUENCE ? childrenDer(buf, inner) : null;
    if (!ids || ids.length > 1 || (ids.length === 1 && ids[0].tag !== 0x80)) return null;
    if (ids.length === 1) out.authorityKeyId = buf.toString('hex', ids[0].start, ids[0].end);
  } else return null;
  return Object.freeze(out);
}

/**
 * Pieces of a TBSCertificate read before, by their exact bytes (the value of a TLV whose tag and
 * place are checked before the lookup): the issuer, validity and most extensions are the same in
 * every node's certificate of a fleet, and a lookup costs less than the walk. Pieces larger than
 * MAX_PIECE are read each time.
 */
const MAX_PIECE = 4096;
const extensionPieces = new Lru<string, ExtensionFacts | null>(256);

function extensionOf(buf: Buffer, e: Tlv): ExtensionFacts | null {
  if (e.end - e.start > MAX_PIECE) return readExtension(buf, e);
  const key = buf.toString('latin1', e.start, e.end);
  let f = extensionPieces.get(key);
  if (f === undefined) {
    f = readExtension(buf, e);
    extensionPieces.set(key, f);
  }
  return f;
}

/**
 * The extensions ([3] at depth 1 of the TBS) when every one is of a kind OpenSSL caches and decodes
 * without complaint (no duplicates, no empty key usage, strict DER); null sends the certificate to OpenSSL.
 */
function strictExtensions(buf: Buffer, t: Tlv | undefined): StrictExtensions | null {
  const extensions: Extensions = { sans: [], keyUsage: [], extKeyUsage: [] };
  const out: StrictExtensions = { ca: false, keyUsageBits: null, subjectKeyId: null, authorityKeyId: null, extensions };
  if (!t) return out;
  const wrap = childrenDer(buf, t);
  if (!wrap || wrap.length !== 1 || wrap[0].tag !== SEQUENCE) return null;
  const list = childrenDer(buf, wrap[0]);
  if (!list || list.length === 0) return null;
  let seen = 0;
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    const f = e.tag === SEQUENCE ? extensionOf(buf, e) : null;
    // A bit per kind tells duplicates.
    if (!f || seen & f.bit) return null;
    seen |= f.bit;
    if (f.ca) out.ca = true;
    if (f.keyUsage) {
      out.keyUsageBits = f.keyUsageBits;
      extensions.keyUsage = f.keyUsage;
    }
    if (f.extKeyUsage) extensions.extKeyUsage = f.extKeyUsage;
    if (f.sans) extensions.sans = f.sans;
    if (f.subjectKeyId !== null) out.subjectKeyId = f.subjectKeyId;
    if (f.authorityKeyId !== null) out.authorityKeyId = f.authorityKeyId;
  }
  return out;
}

/** Two TLVs of `buf` with the same tag and value: a byte loop, not two Buffer views (an AlgorithmIdentifier is a dozen bytes). */
function sameTlv(buf: Uint8Array, a: Tlv, b: Tlv): boolean {
  const n = a.end - a.start;
  if (a.tag !== b.tag || b.end - b.start !== n) return false;
  for (let i = 0; i < n; i++) if (buf[a.start + i] !== buf[b.start + i]) return false;
  return true;
}

/**
 * The facts of a certificate the DER reader read alone: OpenSSL's view is built on first use. A
 * class, not an object literal with a getter: V8 builds such a literal through the runtime, ~1 µs.
 * Fields in the order parseWithOpenSsl writes them (JSON of both is held equal).
 */
class DerCertFacts implements CertFacts {
  readonly #der: Buffer;
  #x509: X509Certificate | undefined;
  signed: SignedFacts | null = null;
  subject = '';
  issuer = '';
  subjectAttrs: NameAttribute[] = [];
  serial = '';
  notBefore = '';
  notAfter = '';
  sans: string[] = [];
  isCA = false;
  keyUsage: string[] = [];
  extKeyUsage: string[] = [];
  publicKey = '';
  spki: Buffer = EMPTY;
  publicKeyId = '';
  sha256 = '';
  notBeforeMs = 0;
  notAfterMs = 0;

  constructor(der: Buffer) {
    this.#der = der;
  }

  get x509(): X509Certificate {
    // Private fields are not properties: set on a frozen instance too.
    this.#x509 ??= new X509Certificate(this.#der);
    return this.#x509;
  }
}

const EMPTY = Buffer.alloc(0);

/** A Name read by plainName, with its RFC 4514 text; frozen (shared by every certificate holding the same bytes). */
interface NameFacts {
  attrs: NameAttribute[];
  canon: string;
  text: string;
}

/**
 * What `read` makes of a SEQUENCE at depth 1 of the TBS, cached by its bytes (pieces up to
 * MAX_PIECE): every certificate a cluster CA issued repeats its issuer, algorithm and often its
 * validity. Null when `t` is not a SEQUENCE.
 */
function piece<T>(cache: Lru<string, T | null>, buf: Buffer, t: Tlv, read: (buf: Buffer, t: Tlv) => T | null): T | null {
  if (t.tag !== SEQUENCE) return null;
  const key = t.end - t.start <= MAX_PIECE ? buf.toString('latin1', t.start, t.end) : null;
  let f = key === null ? undefined : cache.get(key);
  if (f === undefined) {
    f = read(buf, t);
    if (key !== null) cache.set(key, f);
  }
  return f;
}

const namePieces = new Lru<string, NameFacts | null>(256);

/** A Name at depth 1 of the TBS (issuer, subject) when it is plain DER plainName reads; else null. */
function nameOf(buf: Buffer, t: Tlv): NameFacts | null {
  return piece(namePieces, buf, t, readName);
}

function readName(buf: Buffer, t: Tlv): NameFacts | null {
  // No plainRange walk first: plainName reads every TLV of the Name with readTlvDer (DER lengths)
  // and takes only SEQUENCE, SET, strict OIDs and three string types, all of which plainRange passes.
  const name = plainName(buf, t);
  if (!name) return null;
  for (const a of name.attrs) Object.freeze(a);
  return Object.freeze({ attrs: Object.freeze(name.attrs) as NameAttribute[], canon: name.canon, text: formatName(name.attrs) });
}

interface Validity {
  notBefore: string;
  notAfter: string;
  notBeforeMs: number;
  notAfterMs: number;
}

const validityPieces = new Lru<string, Validity | null>(64);

/** The Validity at depth 1 of the TBS when it is plain DER of two times decodeTime reads; else null. */
function validityOf(buf: Buffer, t: Tlv): Validity | null {
  return piece(validityPieces, buf, t, readValidity);
}

function readValidity(buf: Buffer, t: Tlv): Validity | null {
  const v = plainRange(buf, t.start, t.end, 2) ? childrenDer(buf, t) : null;
  const notBefore = v && v.length === 2 ? decodeTime(buf, v[0]) : null;
  const notAfter = v && v.length === 2 ? decodeTime(buf, v[1]) : null;
  return notBefore && notAfter ? Object.freeze({ notBefore, notAfter, notBeforeMs: Date.parse(notBefore), notAfterMs: Date.parse(notAfter) }) : null;
}

const algorithmPieces = new Lru<string, { hash: SignedFacts['hash']; key: SignedFacts['keyType'] } | null>(64);

/**
 * The signature algorithm of a certificate (its outer AlgorithmIdentifier, which the TBS repeats at
 * depth 1) when it is a plain form of one the DER reader verifies; else null. OpenSSL re-encodes the
 * outer one for the fingerprint: only plain forms.
 */
function signatureAlgorithm(buf: Buffer, t: Tlv): { hash: SignedFacts['hash']; key: SignedFacts['keyType'] } | null {
  return piece(algorithmPieces, buf, t, readAlgorithm);
}

function readAlgorithm(buf: Buffer, t: Tlv): { hash: SignedFacts['hash']; key: SignedFacts['keyType'] } | null {
  const alg = plainRange(buf, t.start, t.end, 2) ? childrenDer(buf, t) : null;
  if (!alg || alg.length < 1 || alg.length > 2 || (alg.length === 2 && (alg[1].tag !== 0x05 || alg[1].end !== alg[1].start))) return null;
  return SIGNATURE_ALGORITHMS[strictOid(buf, alg[0]) ?? ''] ?? null;
}

/**
 * A certificate read from its DER alone, or null when any part of it is for OpenSSL to judge.
 * Each part of the TBSCertificate is held to plain DER (plainRange) where it is read: the version
 * and serial by their checks here, the rest by their readers (cached by their bytes).
 */
function parseFast(der: Buffer, sha256?: string): { cert: CertFacts } | null {
  const top = readTlvDer(der, 0);
  if (!top || top.tag !== SEQUENCE || top.end !== der.length) return null;
  const outer = childrenDer(der, top);
  if (!outer || outer.length !== 3) return null;
  const tbsT = outer[0];
  const algT = outer[1];
  const sigT = outer[2];
  if (tbsT.tag !== SEQUENCE || sigT.tag !== BIT_STRING) return null;
  const sigAlg = signatureAlgorithm(der, algT);
  if (!sigAlg || sigT.end - sigT.start < 2 || der[sigT.start] !== 0) return null;
  const tbs = childrenDer(der, tbsT);
  if (!tbs || tbs.length < 7 || tbs.length > 8) return null;
  const verT = tbs[0];
  const serialT = tbs[1];
  const innerAlgT = tbs[2];
  const validityT = tbs[4];
  const subjectT = tbs[5];
  const spkiT = tbs[6];
  const extT = tbs.length === 8 ? tbs[7] : undefined;
  if (verT.tag !== 0xa0 || verT.end - verT.start !== 3 || der[verT.start] !== INTEGER || der[verT.start + 1] !== 1 || der[verT.start + 2] !== 2) return null;
  // The inner algorithm is the outer one, byte for byte: plain as that one is.
  if (!plainInteger(der, serialT) || !sameTlv(der, innerAlgT, algT) || spkiT.tag !== SEQUENCE) return null;
  if (extT && extT.tag !== 0xa3) return null;
  const issuer = nameOf(der, tbs[3]);
  const subject = nameOf(der, subjectT);
  const validity = validityOf(der, validityT);
  if (!issuer || !subject || !validity) return null;
  const serial = decodeIntegerHex(der, serialT);
  const strict = strictExtensions(der, extT);
  if (!serial || !strict) return null;
  const extensions = strict.extensions;
  // The SubjectPublicKeyInfo TLV starts where the subject ends. Views, not copies: the facts keep `der` anyway.
  const spki = der.subarray(subjectT.end, spkiT.end);
  // A P-256 key as Go and OpenSSL write it is plain DER and read by where its point lies (one look at its head).
  const key = plainP256SpkiKey(spki) ?? (plainRange(der, spkiT.start, spkiT.end, 2) ? spkiKeyFast(spki) : null);
  if (!key) return null;
  const signed: SignedFacts = {
    // The TBSCertificate TLV is the first thing inside the outer SEQUENCE.
    tbs: der.subarray(top.start, tbsT.end),
    hash: sigAlg.hash,
    signatureKeyType: sigAlg.key,
    signature: der.subarray(sigT.start + 1, sigT.end),
    subjectCanon: subject.canon,
    issuerCanon: issuer.canon,
    subjectKeyId: strict.subjectKeyId,
    authorityKeyId: strict.authorityKeyId,
    keyUsageBits: strict.keyUsageBits,
    keyType: key.type,
    spki,
  };
  // OpenSSL's X509_check_ca: a CA by basic constraints, and key usage (when present) allows signing certificates.
  const isCA = strict.ca && (strict.keyUsageBits === null || (strict.keyUsageBits & KU_KEY_CERT_SIGN) !== 0);
  const cert = new DerCertFacts(der);
  cert.signed = signed;
  cert.subject = subject.text;
  cert.issuer = issuer.text;
  cert.subjectAttrs = subject.attrs;
  cert.serial = serial;
  cert.notBefore = validity.notBefore;
  cert.notAfter = validity.notAfter;
  cert.notBeforeMs = validity.notBeforeMs;
  cert.notAfterMs = validity.notAfterMs;
  cert.sans = extensions.sans.length < 2 ? extensions.sans.slice() : extensions.sans.slice().sort();
  cert.isCA = isCA;
  cert.keyUsage = extensions.keyUsage;
  cert.extKeyUsage = extensions.extKeyUsage;
  cert.publicKey = key.description;
  cert.spki = spki;
  cert.publicKeyId = key.id;
  cert.sha256 = sha256 ?? sha256Of(der);
  return { cert };
}

/** Issuer public keys by certificate fingerprint: a fleet's CA key is built once. */
const issuerKeys = new RepeatCache<{ key: KeyObject | null }>(256);

function issuerKey(parent: CertFacts, s: SignedFacts): KeyObject | null {
  let k = issuerKeys.get(parent.sha256);
  if (!k) {
    try {
      k = { key: createPublicKey({ key: s.spki, format: 'der', type: 'spki' }) };
    } catch {
      k = { key: null };
    }
    issuerKeys.offer(parent.sha256, k);
  }
  return k.key;
}

/**
 * True when `parent` cannot have issued `child` by what the DER says (names, key ids, key type, key
 * usage): issuedBy's checks before any signature, cheap enough to run before a cache lookup.
 */
export function plainlyNotIssued(child: CertFacts, parent: CertFacts): boolean {
  const c = child.signed;
  const p = parent.signed;
  if (!c || !p) return false;
  if (c.issuerCanon !== p.subjectCanon) return true;
  if (c.authorityKeyId !== null && p.subjectKeyId !== null && c.authorityKeyId !== p.subjectKeyId) return true;
  if (c.signatureKeyType !== p.keyType) return true;
  return p.keyUsageBits !== null && (p.keyUsageBits & KU_KEY_CERT_SIGN) === 0;
}

/**
 * Whether `parent` issued `child`: OpenSSL's X509_check_issued(parent, child) and X509_verify(child,
 * parent's key) both hold. Read from the DER when both certificates are plain, else by OpenSSL.
 */
export function issuedBy(child: CertFacts, parent: CertFacts): boolean {
  const c = child.signed;
  const p = parent.signed;
  if (c && p) {
    if (plainlyNotIssued(child, parent)) return false;
    const key = issuerKey(parent, p);
    if (!key) return false;
    try {
      return verifySignature(c.hash, c.tbs, key, c.signature);
    } catch {
      return false;
    }
  }
  try {
    return child.x509.checkIssued(parent.x509) && child.x509.verify(parent.x509.publicKey);
  } catch {
    return false;
  }
}

/** The two readers apart, uncached (tests hold them equal): the DER reader (null when it defers) and OpenSSL's. */
export const certificateReaders = { der: parseFast, openssl: parseWithOpenSsl };
