/**
 * A small DER reader for the parts of an X.509 certificate Node's X509Certificate does not expose
 * in a stable form (names, validity dates, key usage bits, alternative names).
 * X.690 (DER): https://www.itu.int/rec/T-REC-X.690 ; certificate structure: RFC 5280 section 4.1.
 * Every function returns null on malformed input instead of throwing.
 */

export interface Tlv {
  /** The identifier octet as read (class, constructed bit and tag number). */
  tag: number;
  /** Offset of the value's first byte. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads one TLV at `offset`, bounded by `limit`. Only short tag numbers occur in certificates. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) return null;
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    pos += n;
  }
  if (pos + len > limit) return null;
  return { tag, start: pos, end: pos + len };
}

/** Like readTlv, but only the minimal (DER) length encoding: what re-encodes to the same bytes. */
export function readTlvDer(buf: Uint8Array, offset: number, limit = buf.length): Tlv | null {
  const t = readTlv(buf, offset, limit);
  if (!t) return null;
  const len = t.end - t.start;
  const header = t.start - offset;
  if (len < 0x80 ? header !== 2 : header !== 2 + (len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4)) return null;
  return t;
}

/** The TLVs inside a constructed value in DER length encoding, or null when they do not tile it exactly. */
export function childrenDer(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const t = readTlvDer(buf, pos, parent.end);
    if (!t) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** The TLVs inside a constructed value, or null when they do not tile it exactly. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const t = readTlv(buf, pos, parent.end);
    if (!t) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}

export function bytes(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

export function decodeOid(buf: Uint8Array, t: Tlv): string | null {
  const b = bytes(buf, t);
  if (b.length === 0) return null;
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < b.length; i++) {
    value = value * 128 + (b[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) return null;
    if ((b[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    } else if (i === b.length - 1) return null;
  }
  return parts.join('.');
}

/** A directory string (any of the string types a Name may carry) as text. */
export function decodeString(buf: Uint8Array, t: Tlv): string | null {
  const b = Buffer.from(bytes(buf, t));
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return b.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return b.toString('latin1');
    case TAG.T61_STRING:
      return b.toString('latin1');
    case TAG.BMP_STRING: {
      if (b.length % 2) return null;
      const swapped = Buffer.from(b);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case TAG.UNIVERSAL_STRING: {
      if (b.length % 4) return null;
      let s = '';
      for (let i = 0; i < b.length; i += 4) {
        const cp = b.readUInt32BE(i);
        if (cp > 0x10ffff) return null;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return null;
  }
}

/** UTCTime or GeneralizedTime as an ISO-8601 string (RFC 5280 4.1.2.5: UTCTime years below 50 are 20xx). */
export function decodeTime(buf: Uint8Array, t: Tlv): string | null {
  const s = Buffer.from(bytes(buf, t)).toString('latin1');
  let m: RegExpMatchArray | null;
  let year: number;
  if (t.tag === TAG.UTC_TIME) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/);
    if (!m) return null;
    const yy = Number(m[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (t.tag === TAG.GENERALIZED_TIME) {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/);
    if (!m) return null;
    year = Number(m[1]);
  } else return null;
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number);
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  if (!Number.isFinite(ms) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  const date = new Date(ms);
  if (year < 0 || year > 9999) return null;
  return date.toISOString().replace('.000Z', 'Z');
}

/** An INTEGER as lowercase hex without the sign-padding byte. */
export function decodeIntegerHex(buf: Uint8Array, t: Tlv): string | null {
  let b = bytes(buf, t);
  if (b.length === 0) return null;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return Buffer.from(b).toString('hex');
}

/** An IPv4 or IPv6 address in its usual text form (RFC 5952 compression for IPv6). */
export function formatIp(b: Uint8Array): string | null {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return null;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b[i] * 256 + b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}
