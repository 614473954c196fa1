/** The identity replacer's indexOf path gives exactly what its regular expression gives. */
import fc from 'fast-check';
import { identityReplacer, NODE_IP, NODE_NAME, type NodeIdentity } from '../../src/diff/identity.js';

/** The pattern as the differ builds it for text the fast path does not take (non-ASCII). */
function byRegex(id: NodeIdentity): (text: string) => string {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = id.ips.map((ip) => (ip.includes(':') ? `(?<![0-9A-Fa-f])(?<ip6>${esc(ip)})(?![0-9A-Fa-f:])` : `(?<![0-9.])(?<ip>${esc(ip)})(?![0-9]|\\.[0-9])`));
  if (id.names.length) parts.push(`(?<![A-Za-z0-9_.-])(?<name>${id.names.map(esc).join('|')})(?:(?![A-Za-z0-9_-])|(?=-ca@))`);
  const re = new RegExp(parts.map((p, i) => p.replace(/\?<(ip6|ip|name)>/, `?<$1${i}>`)).join('|'), 'gi');
  return (text) =>
    text.replace(re, (...args) => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      for (const [g, v] of Object.entries(groups)) if (v !== undefined) return g.startsWith('name') ? NODE_NAME : NODE_IP;
      return args[0] as string;
    });
}

const IDS: NodeIdentity[] = [
  { names: ['worker-1.example.com', 'worker-1', 'w1'], ips: ['10.0.0.50', '10.0.0.5', 'fe80::1'] },
  { names: ['abc', 'ab'], ips: ['1.2.3.4'] },
  { names: ['Node-A'], ips: ['2001:db8::a'] },
];
const PIECES = ['worker-1', 'WORKER-1', 'w1', '.', '-', '_', ':', '/', ' ', '0', '5', 'a', 'x', '10.0.0.5', '10.0.0.50', 'fe80::1', 'FE80::1', '-ca@', '-CA@', 'ab', 'abc', '1.2.3.4', '2001:db8::a', 'node-a', 'é', 'K', '\u0130', '\u017f'];

describe('identityReplacer', () => {
  it('matches the regular expression on any mix of names, addresses and their neighbours', () => {
    fc.assert(
      fc.property(fc.constantFrom(...IDS), fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }), (id, pieces) => {
        const text = pieces.join('');
        expect(identityReplacer(id)(text)).toBe(byRegex(id)(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('replaces regardless of case, at the start and end, and leaves longer addresses and names alone', () => {
    const r = identityReplacer(IDS[0]);
    expect(r('10.0.0.5')).toBe(NODE_IP);
    expect(r('WORKER-1.EXAMPLE.COM:6443')).toBe(`${NODE_NAME}:6443`);
    expect(r('10.0.0.500 10.0.0.5.6 w1x xw1 w1-ca@17')).toBe(`10.0.0.500 10.0.0.5.6 w1x xw1 ${NODE_NAME}-ca@17`);
    expect(r('FE80::1%eth0 fe80::10')).toBe(`${NODE_IP}%eth0 fe80::10`);
    expect(r('no identity here')).toBe('no identity here');
  });

  it('takes text with other than ASCII, and names with it, through the regular expression', () => {
    expect(identityReplacer(IDS[0])('nœud worker-1 ſ')).toBe(`nœud ${NODE_NAME} ſ`);
    const id = { names: ['nœud-1'], ips: [] };
    expect(identityReplacer(id)('x nœud-1 y')).toBe(byRegex(id)('x nœud-1 y'));
  });
});
