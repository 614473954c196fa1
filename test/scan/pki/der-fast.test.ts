/**
 * The DER reader's shortcuts against the plain forms they stand for: times written out from their
 * digits against Date, OID validity without building the text against decodeOid.
 */
import fc from 'fast-check';
import { TAG, decodeOid, decodeTime, validOid } from '../../../src/scan/pki/der.js';

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
