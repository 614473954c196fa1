import fc from 'fast-check';
import { parseEnvFile } from '../../../src/scan/systemd/env-file.js';
import { extractWords } from '../../../src/scan/systemd/words.js';

// Plain runs of characters are scanned natively (regular expressions) rather than one character
// at a time: these pin the answers the character loops gave.

const P = '/var/lib/kubelet/kubeadm-flags.env';

describe('extractWords on values with nothing to unquote or unescape', () => {
  const options = [
    { unquote: true, cunescape: true, relax: false },
    { unquote: true, cunescape: false, relax: true },
    { unquote: false, cunescape: false, relax: false },
  ];

  it('splits at blanks, with each word at its offset', () => {
    for (const o of options) {
      expect(extractWords(' --node-ip=10.1.0.1\t--hostname-override=w1 \r\n$X ', o)).toEqual({
        words: [
          { text: '--node-ip=10.1.0.1', start: 1 },
          { text: '--hostname-override=w1', start: 20 },
          { text: '$X', start: 45 },
        ],
        unknownEscape: false,
        unbalanced: false,
      });
      expect(extractWords(' \t\n', o)).toEqual({ words: [], unknownEscape: false, unbalanced: false });
    }
  });

  it('treats quotes as plain characters when not unquoting, and removes them when unquoting', () => {
    expect(extractWords(`a"b c'd`, options[2]).words.map((w) => w.text)).toEqual([`a"b`, `c'd`]);
    expect(extractWords(`a"b c"d`, options[0]).words.map((w) => w.text)).toEqual(['ab cd']);
  });

  it('agrees with splitting at blanks on any such value', () => {
    const piece = fc.constantFrom('a', '=', '$', '-', ' ', '\t', '\n', '\r', 'é', '\u{1F600}');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((a) => a.join('')), (s) => {
        const expected: Array<{ text: string; start: number }> = [];
        for (const m of s.matchAll(/[^ \t\n\r]+/g)) expected.push({ text: m[0], start: m.index! });
        for (const o of options) expect(extractWords(s, o).words).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseEnvFile runs', () => {
  it('drops blanks a key or an unquoted value ends with, keeps those inside', () => {
    const r = parseEnvFile('AB  =x y \t\nA B=1\nC=\\\n  d  \nE= \t \n', P);
    expect(r.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['AB', 'x y', 1],
      ['C', '  d', 3],
      ['E', '', 5],
    ]);
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([['systemd-invalid-environment', 2]]);
  });

  it('counts lines inside quoted values, and keeps their blanks', () => {
    const r = parseEnvFile(`A="x \n y "\nB='p\n\nq '\nC=z  \n`, P);
    expect(r.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['A', 'x \n y ', 1],
      ['B', 'p\n\nq ', 3],
      ['C', 'z', 6],
    ]);
  });

  it('reads a kubeadm flags file', () => {
    const r = parseEnvFile('KUBELET_KUBEADM_ARGS="--node-ip=10.1.0.1 --hostname-override=w00001"\n', P);
    expect(r.findings).toEqual([]);
    expect(r.vars).toEqual([{ name: 'KUBELET_KUBEADM_ARGS', value: '--node-ip=10.1.0.1 --hostname-override=w00001', path: P, line: 1 }]);
  });
});
