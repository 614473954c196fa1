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
  return readHeader(buf, offset, limit, false);
}

/** Like readTlv, but only the minimal (DER) length encoding: what re-encodes to the same bytes. */
export function readTlvDer(buf: Uint8Array, offset: number, limit = buf.length): Tlv | null {
  return readHeader(buf, offset, limit, true);
}

function readHeader(buf: Uint8Array, offset: number, limit: number, minimal: boolean): Tlv | null {
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
    // A long form is minimal when the length needs it (128 or more) and no fewer bytes hold it.
    if (minimal && (len < 0x80 || n !== (len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4))) return null;
  }
  if (pos + len > limit) return null;
  return { tag, start: pos, end: pos + len };
}

/**
 * The TLVs inside a constructed value (`minimal`: DER lengths only, as readTlvDer), or null when
 * they do not tile it exactly. readHeader directly: a certificate's walk reads some fifty TLVs here.
 */
function tiles(buf: Uint8Array, parent: Tlv, minimal: boolean): Tlv[] | null {
  const out: Tlv[] = [];
  const limit = parent.end;
  let pos = parent.start;
  while (pos < limit) {
    const t = readHeader(buf, pos, limit, minimal);
    if (t === null) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** The TLVs inside a constructed value in DER length encoding, or null when they do not tile it exactly. */
export function childrenDer(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  return tiles(buf, parent, true);
}

/** The TLVs inside a constructed value, or null when they do not tile it exactly. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  return tiles(buf, parent, false);
}

export function bytes(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

/** The value of `t` as a Buffer that shares `buf`'s memory (no copy: for reading, never for keeping). */
export function view(buf: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);
}

/** Whether an OID's sub-identifiers decode (what decodeOid accepts), without building its text. */
export function validOid(buf: Uint8Array, t: Tlv): boolean {
  if (t.end === t.start) return false;
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (buf[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) return false;
    if ((buf[i] & 0x80) === 0) value = 0;
    else if (i === t.end - 1) return false;
  }
  return true;
}

export function decodeOid(buf: Uint8Array, t: Tlv): string | null {
  if (t.end === t.start) return null;
  let out = '';
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (buf[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) return null;
    if ((buf[i] & 0x80) === 0) {
      if (out === '') {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        out = `${first}.${value - first * 40}`;
      } else out += `.${value}`;
      value = 0;
    } else if (i === t.end - 1) return null;
  }
  return out;
}

/** A directory string (any of the string types a Name may carry) as text. */
export function decodeString(buf: Uint8Array, t: Tlv): string | null {
  const b = view(buf, t);
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** `n` ASCII digits at `at` as a number, or -1. */
function digits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * UTCTime or GeneralizedTime as an ISO-8601 string (RFC 5280 4.1.2.5: UTCTime years below 50 are 20xx).
 * The forms RFC 5280 allows (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`) holding a real date are written
 * out from their digits; anything else goes through Date, which decides what it always did.
 */
export function decodeTime(buf: Uint8Array, t: Tlv): string | null {
  const n = t.end - t.start;
  const utc = t.tag === TAG.UTC_TIME && n === 13;
  if ((utc || (t.tag === TAG.GENERALIZED_TIME && n === 15)) && buf[t.end - 1] === 0x5a) {
    const y = utc ? digits(buf, t.start, 2) : digits(buf, t.start, 4);
    const year = utc ? (y < 0 ? -1 : y < 50 ? 2000 + y : 1900 + y) : y;
    const at = t.start + (utc ? 2 : 4);
    const mo = digits(buf, at, 2);
    const d = digits(buf, at + 2, 2);
    const h = digits(buf, at + 4, 2);
    const mi = digits(buf, at + 6, 2);
    const se = digits(buf, at + 8, 2);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (year >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= DAYS_IN_MONTH[mo - 1] + (mo === 2 && leap ? 1 : 0) && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 59) {
      // Each pair of digits written back as read (`07` is 7, padded again).
      return `${year}-${TWO_DIGITS[mo]}-${TWO_DIGITS[d]}T${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[se]}Z`;
    }
  }
  return decodeTimeByDate(buf, t);
}

function decodeTimeByDate(buf: Uint8Array, t: Tlv): string | null {
  const s = view(buf, t).toString('latin1');
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
  if (t.end === t.start) return null;
  let i = t.start;
  while (i < t.end - 1 && buf[i] === 0) i++;
  return Buffer.from(buf.buffer, buf.byteOffset + i, t.end - i).toString('hex');
}

/** An IPv4 or IPv6 address in its usual text form (RFC 5952 compression for IPv6). */
export function formatIp(b: Uint8Array): string | null {
  // Not [...b].join('.'): spreading a Buffer runs its iterator, byte by byte.
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
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
