/**
 * The plain-block PEM reader (one match a block) against the line reader it stands in for: on every
 * fixture PEM file and on texts built of plain and almost-plain blocks.
 */
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { pemReaders, readPem } from '../../../src/scan/pki/pem.js';
import { FIXTURES } from './helpers.js';

function* pemFiles(dir: string): Generator<string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const s = lstatSync(p);
    if (s.isDirectory()) yield* pemFiles(p);
    else if (s.isFile() && /\.(crt|pem|key|pub|cer)$/.test(n) && s.size < 1 << 20) yield p;
  }
}

function same(text: string): boolean {
  const plain = pemReaders.plain(text);
  if (plain) expect(plain).toEqual(pemReaders.lines(text));
  return plain !== null;
}

describe('the plain PEM reader', () => {
  it('reads the fixture PEM files as the line reader does (most of them alone)', () => {
    let files = 0;
    let plain = 0;
    for (const p of pemFiles(FIXTURES)) {
      files++;
      if (same(readFileSync(p).toString('latin1'))) plain++;
    }
    expect(files).toBeGreaterThan(50);
    expect(plain).toBeGreaterThan(files / 2);
  });

  it('is what the line reader makes of texts of plain blocks, and declines the rest', () => {
    const b64 = fc.uint8Array({ minLength: 0, maxLength: 120 }).map((b) => Buffer.from(b).toString('base64'));
    const label = fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'EC PRIVATE KEY', 'X', 'A B', 'certificate');
    const block = fc.record({
      label,
      endLabel: fc.oneof(label, fc.constant('')),
      body: b64,
      width: fc.constantFrom(64, 76, 1, 5, 1000),
      eol: fc.constantFrom('\n', '\n', '\n', '\r\n', '\n\n', ''),
      junk: fc.constantFrom('', '', '', ' ', '=', '==', 'Proc-Type: 4,ENCRYPTED\n', '-', 'AB=CD\n'),
    });
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 4 }), fc.boolean(), (blocks, lastNewline) => {
        let text = '';
        for (const b of blocks) {
          const lines = b.body.match(new RegExp(`.{1,${b.width}}`, 'g')) ?? [];
          const end = b.endLabel === '' ? b.label : b.endLabel;
          text += `-----BEGIN ${b.label}-----${b.eol}${b.junk}${lines.join(b.eol)}${b.eol}-----END ${end}-----\n`;
        }
        if (!lastNewline) text = text.slice(0, -1);
        same(text);
      }),
      { numRuns: 3000, seed: 3 },
    );
    // Plain: one block, two, a last one with no final newline; the lines as counted by the line reader.
    const cert = '-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n';
    expect(same(cert)).toBe(true);
    expect(same(cert + cert.slice(0, -1))).toBe(true);
    expect(readPem(cert + cert).blocks.map((b) => b.line)).toEqual([1, 5]);
    // Declined: text around the blocks, CRLF, a bad label pair, bad base64 (the line reader's problems).
    for (const t of [`x\n${cert}`, cert.replace(/\n/g, '\r\n'), cert.replace('END CERT', 'END X'), cert.replace('QUJD', 'QUJ='), cert + 'x']) {
      expect(pemReaders.plain(t)).toBeNull();
    }
  });
});
