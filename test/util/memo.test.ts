import { Lru, RepeatCache, freezeShared, isShared } from '../../src/util/memo.js';

describe('RepeatCache', () => {
  it('keeps a value for good on its second sighting, and the last first sightings in a small window', () => {
    const c = new RepeatCache<number>(4, 2);
    expect(c.offer('a', 1)).toBe(false);
    expect(c.get('a')).toBe(1);
    expect(c.sizes).toEqual({ values: 0, recent: 1 });
    expect(c.offer('a', 1)).toBe(true);
    expect(c.sizes).toEqual({ values: 1, recent: 1 });
  });

  it('lets values seen once only pass through the window: a fleet of unique values stays bounded', () => {
    const c = new RepeatCache<number>(8, 3);
    for (let i = 0; i < 1000; i++) c.offer(`unique-${i}`, i);
    expect(c.sizes).toEqual({ values: 0, recent: 3 });
    expect(c.get('unique-0')).toBeUndefined();
    expect(c.get('unique-999')).toBe(999);
    c.offer('ca', -1);
    c.offer('ca', -1);
    for (let i = 0; i < 1000; i++) c.offer(`more-${i}`, i);
    expect(c.get('ca')).toBe(-1);
    expect(c.sizes).toEqual({ values: 1, recent: 3 });
  });

  it('has no window when asked for none', () => {
    const c = new RepeatCache<number>(4, 0);
    c.offer('a', 1);
    expect(c.get('a')).toBeUndefined();
    c.offer('a', 1);
    expect(c.get('a')).toBe(1);
  });
});

describe('Lru', () => {
  it('drops the least recently used entry', () => {
    const l = new Lru<string, number>(2);
    l.set('a', 1);
    l.set('b', 2);
    expect(l.get('a')).toBe(1);
    l.set('c', 3);
    expect(l.get('b')).toBeUndefined();
    expect(l.get('a')).toBe(1);
    expect(l.size).toBe(2);
  });
});

describe('freezeShared', () => {
  it('freezes every level, frozen parts included, and marks each as shared', () => {
    const inner = Object.freeze({ list: [1, 2], deep: { x: 'y' } });
    const v = freezeShared({ a: inner, b: ['c'] });
    expect(isShared(v)).toBe(true);
    expect(isShared(v.a.deep)).toBe(true);
    expect(Object.isFrozen(v.a.list)).toBe(true);
    expect(() => {
      (v.a.deep as { x: string }).x = 'z';
    }).toThrow(TypeError);
    expect(isShared({})).toBe(false);
    expect(isShared(Object.freeze({}))).toBe(false);
    expect(isShared('text')).toBe(false);
  });
});

describe('Lru order', () => {
  it('keeps exactly the most recently used entries, a hit or an update counting as a use', () => {
    const l = new Lru<number, number>(3);
    const model: number[] = [];
    const use = (k: number) => {
      const i = model.indexOf(k);
      if (i >= 0) model.splice(i, 1);
      model.push(k);
    };
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 6;
    for (let step = 0; step < 2000; step++) {
      const k = next();
      if (step % 3 === 0) {
        l.set(k, step);
        use(k);
        if (model.length > 3) model.shift();
      } else if (l.get(k) !== undefined) use(k);
      expect(model.includes(k) || l.get(k) === undefined).toBe(true);
      expect(l.size).toBe(model.length);
    }
    for (const k of [0, 1, 2, 3, 4, 5]) expect(l.get(k) !== undefined).toBe(model.includes(k));
    l.clear();
    expect(l.size).toBe(0);
    l.set(1, 1);
    expect(l.get(1)).toBe(1);
  });
});
