/**
 * The DER reader's shortcuts against the plain forms they stand for: times written out from their
 * digits against Date, OID validity without building the text against decodeOid.
 */
import fc from 'fast-check';
import { TAG, childrenDer, decodeOid, decodeTime, readTlv, readTlvDer, validOid, type Tlv } from '../../../src/scan/pki/der.js';

/** decodeTime as it was before the digit shortcut: through Date. */
function byDate(s: string, tag: number): string | null {
  let m: RegExpMatchArray | null;
  let year: number;
  if (tag === TAG.UTC_TIME) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/);
    if (!m) return null;
    const yy = Number(m[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/);
    if (!m) return null;
    year = Number(m[1]);
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number);
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  if (!Number.isFinite(ms) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  if (year < 0 || year > 9999) return null;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function time(s: string, tag: number): string | null {
  const b = Buffer.from(`..${s}`, 'latin1');
  return decodeTime(b, { tag, start: 2, end: b.length });
}

const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const odd = fc.constantFrom('00', '12', '13', '29', '30', '31', '59', '60', '99', '1a', ' 1');
const part = fc.oneof(two, odd);

describe('decodeTime', () => {
  it('reads kubeadm validity times', () => {
    expect(time('260101000000Z', TAG.UTC_TIME)).toBe('2026-01-01T00:00:00Z');
    expect(time('491231235959Z', TAG.UTC_TIME)).toBe('2049-12-31T23:59:59Z');
    expect(time('500101000000Z', TAG.UTC_TIME)).toBe('1950-01-01T00:00:00Z');
    expect(time('20500101000000Z', TAG.GENERALIZED_TIME)).toBe('2050-01-01T00:00:00Z');
    expect(time('99991231235959Z', TAG.GENERALIZED_TIME)).toBe('9999-12-31T23:59:59Z');
  });

  it('is what Date makes of any time, leap days, second 60 and day 31 of short months included', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.oneof(two, fc.constantFrom('0000', '0099', '1600', '1900', '2000', '2024', '2100', '9999')), part, part, part, part, part, (utc, y, mo, d, h, mi, se) => {
        const year = utc ? y.slice(-2) : y.padStart(4, '20');
        for (const tail of ['Z', '', '.5Z', 'z']) {
          for (const secs of [se, '']) {
            const s = `${year}${mo}${d}${h}${mi}${secs}${tail}`;
            const tag = utc ? TAG.UTC_TIME : TAG.GENERALIZED_TIME;
            expect(time(s, tag)).toBe(byDate(s, tag));
          }
        }
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});

describe('validOid', () => {
  it('accepts exactly what decodeOid decodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const b = Buffer.from(bytes);
        const t = { tag: TAG.OID, start: 0, end: b.length };
        expect(validOid(b, t)).toBe(decodeOid(b, t) !== null);
      }),
      { numRuns: 3000, seed: 5 },
    );
    const b = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
    expect(decodeOid(b, { tag: TAG.OID, start: 0, end: b.length })).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(b, { tag: TAG.OID, start: 0, end: 3 })).toBe('1.2.840');
    expect(decodeOid(b, { tag: TAG.OID, start: 0, end: 2 })).toBeNull();
  });
});

/** readTlvDer and childrenDer as they were: readTlv, then the header held to the minimal length encoding. */
function readTlvDerByHeader(buf: Uint8Array, offset: number, limit: number): Tlv | null {
  const t = readTlv(buf, offset, limit);
  if (!t) return null;
  const len = t.end - t.start;
  const header = t.start - offset;
  if (len < 0x80 ? header !== 2 : header !== 2 + (len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : 4)) return null;
  return t;
}

function childrenByHeader(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const t = readTlvDerByHeader(buf, pos, parent.end);
    if (!t) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}

describe('readTlvDer and childrenDer', () => {
  // Bytes biased toward TLV headers: tags, short and long lengths, padded long forms.
  const byte = fc.oneof(fc.constantFrom(0x02, 0x04, 0x06, 0x1f, 0x30, 0x31, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x00, 0x01, 0x7f), fc.integer({ min: 0, max: 255 }));

  it('read the minimal length encodings readTlv and the header check accepted, and nothing else', () => {
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), fc.nat({ max: 40 }), (bytes, cut) => {
        const b = Uint8Array.from(bytes);
        const limit = Math.min(cut, b.length);
        expect(readTlvDer(b, 0, limit)).toEqual(readTlvDerByHeader(b, 0, limit));
        expect(readTlvDer(b, 1, b.length)).toEqual(readTlvDerByHeader(b, 1, b.length));
        const parent = { tag: TAG.SEQUENCE, start: 0, end: limit };
        expect(childrenDer(b, parent)).toEqual(childrenByHeader(b, parent));
      }),
      { numRuns: 5000, seed: 7 },
    );
    const long = Buffer.concat([Buffer.from([0x04, 0x81, 0x80]), Buffer.alloc(0x80), Buffer.from([0x04, 0x81, 0x7f]), Buffer.alloc(0x7f)]);
    expect(childrenDer(long, { tag: TAG.SEQUENCE, start: 0, end: 0x83 })).toEqual([{ tag: 0x04, start: 3, end: 0x83 }]);
    expect(childrenDer(long, { tag: TAG.SEQUENCE, start: 0, end: long.length })).toBeNull();
  });
});
