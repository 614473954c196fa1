import fc from 'fast-check';
import { parseFlags, sourceLocation } from '../../src/scan/flags.js';
import type { Word } from '../../src/scan/types.js';

const S = '/etc/systemd/system/etcd.service';
const words = (...texts: string[]): Word[] => texts.map((text, i) => ({ text, source: `${S}:${i + 1}` }));
const bools = new Set(['--client-cert-auth', '--peer-client-cert-auth', '--logtostderr']);
const isBoolean = (f: string): boolean => bools.has(f);

describe('parseFlags (pflag semantics)', () => {
  it('reads --a=b, --a b, bare booleans, and keeps each flag\'s source', () => {
    const r = parseFlags(words('--name', 'controller-0', '--data-dir=/var/lib/etcd', '--client-cert-auth', '--initial-cluster-state', 'new'), { isBoolean });
    expect(r.flags).toEqual([
      { name: '--name', value: 'controller-0', source: `${S}:1` },
      { name: '--data-dir', value: '/var/lib/etcd', source: `${S}:3` },
      { name: '--client-cert-auth', value: 'true', source: `${S}:4`, bare: true },
      { name: '--initial-cluster-state', value: 'new', source: `${S}:5` },
    ]);
    expect(r.args).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it('does not let a boolean flag eat the next word', () => {
    const r = parseFlags(words('--logtostderr', 'apiserver'), { isBoolean });
    expect(r.flags).toEqual([{ name: '--logtostderr', value: 'true', source: `${S}:1`, bare: true }]);
    expect(r.args).toEqual(['apiserver']);
  });

  it('never takes a word that looks like a flag as a value, but takes a negative number', () => {
    const r = parseFlags(words('--unknown-bool', '--oom-score-adj', '-999', '--last'));
    expect(r.flags.map((f) => [f.name, f.value, f.bare ?? false])).toEqual([
      ['--unknown-bool', 'true', true],
      ['--oom-score-adj', '-999', false],
      ['--last', 'true', true],
    ]);
  });

  it('reads single-dash flags (-v=2, -v 2)', () => {
    expect(parseFlags(words('-v=2')).flags[0]).toMatchObject({ name: '-v', value: '2' });
    expect(parseFlags(words('-v', '2')).flags[0]).toMatchObject({ name: '-v', value: '2' });
  });

  it('keeps positional arguments (interspersed) and stops at --', () => {
    const r = parseFlags(words('apiserver', '--a=1', '-', '--', '--b=2', 'x'));
    expect(r.args).toEqual(['apiserver', '-', '--b=2', 'x']);
    expect(r.flags.map((f) => f.name)).toEqual(['--a']);
  });

  it('strips one pair of outer quotes from values', () => {
    const r = parseFlags(words("--runtime-config='api/all=true'", "--enforce-node-allocatable=''", '--x="a"', "--y='unbalanced"));
    expect(r.flags.map((f) => f.value)).toEqual(['api/all=true', '', 'a', "'unbalanced"]);
    expect(parseFlags(words("--x='a'"), { stripQuotes: false }).flags[0].value).toBe("'a'");
  });

  it('keeps every occurrence of a repeated flag; earlier ones are overridden, with a finding when values differ', () => {
    const r = parseFlags(words('--v=2', '--a=1', '-v=4', '--a=1'));
    expect(r.flags.map((f) => [f.name, f.value, f.overridden ?? false])).toEqual([
      ['--v', '2', true],
      ['--a', '1', true],
      ['-v', '4', false],
      ['--a', '1', false],
    ]);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'flag-repeated', path: S, line: 3, severity: 'warning' })]);
  });

  it('does not mark flags whose repetitions add up', () => {
    const r = parseFlags(words('--tls-sni-cert-key=a', '--tls-sni-cert-key=b'), { isRepeatable: (f) => f === '--tls-sni-cert-key' });
    expect(r.flags.some((f) => f.overridden)).toBe(false);
    expect(r.findings).toEqual([]);
  });

  it('never repeats a secret value in a message', () => {
    const r = parseFlags(words('--token=abcdef.0123456789abcdef', '--token=zzzzzz.0123456789abcdef'));
    expect(r.findings[0].message).not.toContain('0123456789abcdef');
  });

  it('reports invalid flag syntax and keeps it as an argument', () => {
    const r = parseFlags(words('---x', '--=1', '--ok'));
    expect(r.args).toEqual(['---x', '--=1']);
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([
      ['flag-syntax', 1],
      ['flag-syntax', 2],
    ]);
    expect(r.flags.map((f) => f.name)).toEqual(['--ok']);
  });

  it('splits file:line sources', () => {
    expect(sourceLocation('/etc/a:b.conf:12')).toEqual({ path: '/etc/a:b.conf', line: 12 });
    expect(sourceLocation('/etc/x')).toEqual({ path: '/etc/x' });
  });

  it('never throws and is deterministic on arbitrary input', () => {
    const word = fc.oneof(fc.string(), fc.constantFrom('--', '-', '--a', '--a=', "--a=''", '-v', '2', '--client-cert-auth', '---'));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 20 }), fc.boolean(), (texts, strip) => {
        const w = words(...texts);
        const a = parseFlags(w, { isBoolean, stripQuotes: strip });
        expect(a).toEqual(parseFlags(w, { isBoolean, stripQuotes: strip }));
        expect(a.flags.length + a.args.length).toBeLessThanOrEqual(texts.length);
      }),
      { numRuns: 500 },
    );
  });
});
