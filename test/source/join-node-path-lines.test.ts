/**
 * joinNodePath must normalize exactly as nodeSegments does for any name, line breaks included: the
 * normalized path is the key of the tree's caches and the path findings name.
 */
import fc from 'fast-check';
import { joinNodePath, nodeSegments } from '../../src/source/file-tree.js';

test('a name ending in a line break before a trailing slash is normalized like any other', () => {
  expect(joinNodePath('/etc/a\n/')).toBe('/etc/a\n');
  expect(joinNodePath('/etc/\u2028/')).toBe('/etc/\u2028');
  const part = fc.constantFrom('etc', '', '.', '..', 'a\n', '\n', '\r', '\u2028', 'x\n.');
  fc.assert(
    fc.property(fc.array(part, { maxLength: 5 }), fc.boolean(), (parts, trailing) => {
      const p = '/' + parts.join('/') + (trailing ? '/' : '');
      expect(joinNodePath(p)).toBe('/' + nodeSegments(p).join('/'));
    }),
    { numRuns: 500, seed: 11 },
  );
});

test('paths remembered as normal (past the bound too) answer as the regex test would', () => {
  // The same paths asked again (from the set) and more distinct ones than the set keeps (the test then).
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5000; i++) {
      const p = `/etc/n${i}/f`;
      expect(joinNodePath(p)).toBe(p);
    }
  }
  for (const p of ['/etc/n1/f/', '/etc//n1/f', '/etc/n1/./f', '/etc/n1/../f', 'etc/n1/f']) {
    expect(joinNodePath(p)).toBe('/' + nodeSegments(p).join('/'));
  }
});
