/** keepsAll: a replacer said to keep a set of texts returns each of them unchanged. */
import fc from 'fast-check';
import { identityReplacer, keepsAll } from '../../src/diff/identity.js';

const ID = { names: ['worker-1', 'w1'], ips: ['10.0.0.5'] };
const PIECES = ['worker-1', 'WORKER-1', 'w1', 'W', '1', '10.0.0.5', '10.0.0.50', '.', '-', ' ', 'x', 'é', '\u0130', '\u03a3'];

describe('keepsAll', () => {
  it('is true only when every text comes back unchanged', () => {
    const r = identityReplacer(ID);
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((p) => p.join('')), { maxLength: 5 }), (texts) => {
        const lower = texts.map((t) => t.toLowerCase()).join('\n');
        if (keepsAll(r, lower)) for (const t of texts) expect(r(t)).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers for the replacers it knows, and only those', () => {
    const r = identityReplacer(ID);
    expect(keepsAll(r, 'cgroupdriver: systemd')).toBe(true);
    expect(keepsAll(r, 'address: 10.0.0.5')).toBe(false);
    expect(keepsAll(identityReplacer({ names: [], ips: [] }), 'anything w1')).toBe(true);
    expect(keepsAll((t) => t, 'anything')).toBe(false);
  });
});
