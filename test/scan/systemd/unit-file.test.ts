import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseUnitFile } from '../../../src/scan/systemd/unit-file.js';

const P = '/etc/systemd/system/x.service';

function kv(text: string): Array<[string, string, string, number]> {
  return parseUnitFile(text, P).assignments.map((a) => [a.section, a.key, a.value, a.line]);
}

describe('parseUnitFile', () => {
  it('reads sections, keys and values with their lines; # and ; start comments', () => {
    const text = '# comment\n[Unit]\nDescription=A unit\n; another\n\n[Service]\nExecStart=/bin/true\n  Restart = always  \n';
    expect(kv(text)).toEqual([
      ['Unit', 'Description', 'A unit', 3],
      ['Service', 'ExecStart', '/bin/true', 7],
      ['Service', 'Restart', 'always', 8],
    ]);
    expect(parseUnitFile(text, P).findings).toEqual([]);
  });

  it('joins lines ending in a backslash, replacing it with a space, and maps each character to its line', () => {
    const text = '[Service]\nExecStart=/usr/bin/a \\\n  --x=1 \\\n  --y=2\nRestart=no\n';
    const a = parseUnitFile(text, P).assignments[0];
    expect(a.value).toBe('/usr/bin/a    --x=1    --y=2');
    expect(a.line).toBe(2);
    expect(a.valueLines[a.value.indexOf('--x')]).toBe(3);
    expect(a.valueLines[a.value.indexOf('--y')]).toBe(4);
    expect(kv(text)[1]).toEqual(['Service', 'Restart', 'no', 5]);
  });

  it('skips comment lines inside a continuation, as conf-parser.c does', () => {
    const text = '[Service]\nExecStart=/usr/bin/a \\\n# --old=1 \\\n  --new=2\n';
    expect(kv(text)).toEqual([['Service', 'ExecStart', '/usr/bin/a    --new=2', 2]]);
  });

  it('does not continue a line ending in an escaped backslash followed by a setting', () => {
    const text = '[Service]\nExecStart=/usr/bin/a C:\\\\\nRestart=no\n';
    expect(kv(text)).toEqual([
      ['Service', 'ExecStart', '/usr/bin/a C:\\\\', 2],
      ['Service', 'Restart', 'no', 3],
    ]);
    expect(parseUnitFile(text, P).findings).toEqual([]);
  });

  it('reads "\\\\" line ends before flag lines as the continuation meant, with one warning naming path:line', () => {
    const text = '[Service]\nExecStart=/usr/local/bin/kube-apiserver \\\\\n--a=1 \\\\\n--b=2\nRestart=on-failure\n';
    const r = parseUnitFile(text, P);
    expect(r.assignments.map((a) => [a.key, a.value])).toEqual([
      ['ExecStart', '/usr/local/bin/kube-apiserver  --a=1  --b=2'],
      ['Restart', 'on-failure'],
    ]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ severity: 'warning', code: 'systemd-double-backslash', path: P, line: 2 });
    expect(r.findings[0].message).toContain(`${P}:2`);
    expect(r.findings[0].message).toContain('2 line(s)');
  });

  it('keeps repeated sections and keys: a hand-edited drop-in may repeat [Service]', () => {
    const text = '[Service]\nEnvironment=A=1\nExecStart=\n[Service]\nEnvironment=A=2\nExecStart=\nExecStart=/bin/x\n';
    expect(kv(text).map(([s, k, v]) => `${s}.${k}=${v}`)).toEqual([
      'Service.Environment=A=1',
      'Service.ExecStart=',
      'Service.Environment=A=2',
      'Service.ExecStart=',
      'Service.ExecStart=/bin/x',
    ]);
  });

  it('reports garbage lines with their line and keeps everything else; stops where systemd refuses the file', () => {
    const text = '[Service]\nthis is not a setting\nExecStart=/bin/x\n=novalue\nType=simple\n[Broken\nRestart=no\n';
    const r = parseUnitFile(text, P);
    expect(r.assignments.map((a) => a.key)).toEqual(['ExecStart', 'Type']);
    expect(r.findings.map((f) => [f.code, f.severity, f.line])).toEqual([
      ['systemd-syntax', 'warning', 2],
      ['systemd-syntax', 'warning', 4],
      ['systemd-syntax', 'error', 6],
    ]);
  });

  it('reports an assignment outside any section', () => {
    const r = parseUnitFile('ExecStart=/bin/x\n[Service]\nType=simple\n', P);
    expect(r.assignments.map((a) => a.key)).toEqual(['Type']);
    expect(r.findings[0]).toMatchObject({ code: 'systemd-syntax', line: 1 });
  });

  it('flags lines that look like command-line flags outside ExecStart (a lost continuation)', () => {
    const r = parseUnitFile('[Service]\nExecStart=/bin/x \\ \n  --a=1\n', P);
    expect(r.findings.map((f) => f.code)).toEqual(['systemd-stray-flag']);
    expect(r.findings[0].line).toBe(3);
  });

  it('reports typographic quotes (kubeadm-cy-gu) with the line, and still reads the file', () => {
    const path = '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf';
    const text = readFileSync(`fixtures/corpus/kubeadm-cy-gu/v1.17.3-85d5174${path}`, 'utf8');
    const r = parseUnitFile(text, path);
    expect(r.findings).toEqual([
      expect.objectContaining({ code: 'systemd-smart-quotes', severity: 'warning', path, line: 12 }),
    ]);
    expect(r.assignments.filter((a) => a.key === 'ExecStart').map((a) => a.line)).toEqual([10, 11]);
    // trailing spaces on the first (comment) line do not matter
    expect(r.assignments[0]).toMatchObject({ section: 'Service', key: 'Environment', line: 3 });
  });

  it('refuses binary data with one finding', () => {
    const r = parseUnitFile('[Service]\0\0\0ExecStart=x', P);
    expect(r.assignments).toEqual([]);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'systemd-not-text', severity: 'error' })]);
  });

  it('handles CRLF line ends and a file that ends inside a continuation', () => {
    expect(kv('[Service]\r\nType=simple\r\nExecStart=/bin/x \\\r\n --a')).toEqual([
      ['Service', 'Type', 'simple', 2],
      ['Service', 'ExecStart', '/bin/x   --a', 3],
    ]);
  });

  it('caps syntax findings for one file', () => {
    const text = '[Service]\n' + 'garbage\n'.repeat(50);
    const r = parseUnitFile(text, P);
    expect(r.findings).toHaveLength(11);
    expect(r.findings[10].message).toContain('40 more');
  });

  it('never throws and is deterministic on arbitrary input', () => {
    const piece = fc.constantFrom('[Service]', 'ExecStart=', '\\', '\\\\', '\n', '\r', '#', ';', '=', ' ', '"', "'", '“', '\0', 'a', '--x');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(piece).map((a) => a.join(''))), (s) => {
        const a = parseUnitFile(s, P);
        const b = parseUnitFile(s, P);
        expect(a).toEqual(b);
        for (const x of a.assignments) expect(x.valueLines).toHaveLength(x.value.length);
      }),
      { numRuns: 400 },
    );
  });
});
