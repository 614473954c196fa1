import { parseFlags } from '../../src/scan/flags.js';

const w = (...texts: string[]) => texts.map((text, i) => ({ text, source: `/u:${i + 1}` }));

describe('parseFlags: flag syntax without the pattern', () => {
  it('splits names and values as /^(--?)([^=]*)(?:=(.*))?$/ would', () => {
    const r = parseFlags(w('--a=1', '-b=x=y', '--c=', '--d', 'val', '-e', '--f=\n2'));
    expect(r.flags.map((f) => [f.name, f.value])).toEqual([
      ['--a', '1'],
      ['-b', 'x=y'],
      ['--c', ''],
      ['--d', 'val'],
      ['-e', 'true'],
      ['--f', '\n2'],
    ]);
    expect(r.findings).toEqual([]);
  });

  it('refuses an empty name or a third dash, and takes numbers and a lone dash as arguments', () => {
    const r = parseFlags(w('-=x', '--=x', '---x', '-5', '-.5', '-'));
    expect(r.flags).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['flag-syntax', 'flag-syntax', 'flag-syntax']);
    expect(r.args).toEqual(['-=x', '--=x', '---x', '-5', '-.5', '-']);
  });

  it('marks -v and --v as one flag given twice, and distinct flags as given once', () => {
    const r = parseFlags(w('-v=1', '--x=1', '--v=2'));
    expect(r.flags.map((f) => f.overridden ?? false)).toEqual([true, false, false]);
    expect(r.findings.map((f) => f.code)).toEqual(['flag-repeated']);
    const once = parseFlags(w('--a=1', '--b=2', '-c=3'));
    expect(once.flags.some((f) => f.overridden)).toBe(false);
    expect(once.findings).toEqual([]);
  });

  it('still notices a typographic dash', () => {
    expect(parseFlags(w('\u2014config=x')).findings.map((f) => f.code)).toEqual(['flag-typographic-dash']);
  });
});
