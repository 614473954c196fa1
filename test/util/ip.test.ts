/** src/util/ip.ts must say exactly what node:net says, which it stands in for (identity normalization). */
import { isIPv4 as netIPv4, isIPv6 as netIPv6 } from 'node:net';
import fc from 'fast-check';
import { isIPv4, isIPv6 } from '../../src/util/ip.js';

const agree = (s: string): void => {
  expect([s, isIPv4(s), isIPv6(s)]).toEqual([s, netIPv4(s), netIPv6(s)]);
};

describe('isIPv4 / isIPv6 without node:net', () => {
  it('agree with node:net on the forms kdiff meets and their near misses', () => {
    const cases = [
      '10.0.0.10', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', '',
      '::', '::1', '1::', 'fe80::1', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%eth0%1', 'fe80::1%en-0.1:2', '2001:db8::8a2e:370:7334',
      '2001:0db8:0000:0000:0000:ff00:0042:8329', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8::', ':::', '1:::2', '1::2::3', ':1::2', '1::2:', '12345::1', 'g::1', '::ffff:10.0.0.1', '::10.0.0.1',
      '1:2:3:4:5:6:10.0.0.1', '1:2:3:4:5:6::10.0.0.1', '1::2:3:4:5:6:10.0.0.1', '1::10.0.0.1', ':10.0.0.1', '10.0.0.1::',
      '::ffff:256.0.0.1', '::ffff:1.2.3', '1.2.3.4:5::', '[::1]', 'localhost', 'w00001', '::ffff:10.0.0.1%lo',
    ];
    for (const s of cases) agree(s);
  });

  it('agree with node:net on generated address-like text', () => {
    // Mostly valid groups, so that a good share of the candidates are addresses (counted below).
    const group = fc.oneof(
      { weight: 12, arbitrary: fc.stringMatching(/^[0-9a-fA-F]{1,4}$/) },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-fA-F]{0,5}$/) },
      { weight: 1, arbitrary: fc.constantFrom('', 'g') },
    );
    const quad = fc.tuple(fc.nat(260), fc.nat(260), fc.nat(260), fc.nat(260), fc.boolean()).map(([a, b, c, d, lead]) => `${lead ? '0' : ''}${a}.${b}.${c}.${d}`);
    const v6 = fc
      .tuple(fc.array(group, { maxLength: 9 }), fc.nat(10), fc.option(quad), fc.option(fc.stringMatching(/^[0-9a-zA-Z.:%-]{0,5}$/)))
      .map(([groups, at, tail, zone]) => {
        const gs = [...groups];
        if (at < gs.length) gs.splice(at, 0, '');
        let s = gs.join(':');
        if (tail !== null) s += `:${tail}`;
        if (zone !== null) s += `%${zone}`;
        return s;
      });
    const noise = fc.stringMatching(/^[0-9a-f:.%]{0,12}$/);
    let v6Valid = 0;
    let v4Valid = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: v6 }, { weight: 1, arbitrary: quad }, { weight: 1, arbitrary: noise }), (s) => {
        agree(s);
        if (netIPv6(s)) v6Valid++;
        if (netIPv4(s)) v4Valid++;
      }),
      { numRuns: 20000, seed: 20261125 },
    );
    // Both answers were explored, not only "no".
    expect(v6Valid).toBeGreaterThan(400);
    expect(v4Valid).toBeGreaterThan(300);
  });
});
