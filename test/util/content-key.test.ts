import { contentKey } from '../../src/util/memo.js';

describe('contentKey', () => {
  it('is the same for the same content and kind, and differs with either', () => {
    expect(contentKey('unit', '[Unit]\n')).toBe(contentKey('unit', '[Unit]\n'));
    expect(contentKey('unit', '[Unit]\n')).not.toBe(contentKey('unit', '[Unit] \n'));
    expect(contentKey('unit', 'a')).not.toBe(contentKey('yaml', 'a'));
  });

  it('keeps a short text apart from what a caller appends to it', () => {
    // Callers append `\0path`: text "a\0b" with path "c" must not meet text "a" with path "b\0c".
    expect(`${contentKey('yaml', 'a\u0000b')}\u0000c`).not.toBe(`${contentKey('yaml', 'a')}\u0000b\u0000c`);
  });

  it('digests a long text and never meets a short text that looks like a digest', () => {
    const long = 'x'.repeat(5000);
    const key = contentKey('yaml', long);
    expect(key).toMatch(/^yaml:[A-Za-z0-9+/]{43}=$/);
    expect(key.length).toBeLessThan(60);
    const digestLike = key.slice('yaml:'.length);
    expect(contentKey('yaml', digestLike)).not.toBe(key);
    expect(contentKey('yaml', Buffer.from(long))).toBe(key);
  });
});
