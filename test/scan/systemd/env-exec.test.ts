import fc from 'fast-check';
import { parseEnvFile, parseEnvironmentValue, type EnvVar } from '../../../src/scan/systemd/env-file.js';
import { expandArgs, parseExecValue, resolveSpecifiers } from '../../../src/scan/systemd/exec.js';
import type { UnitAssignment } from '../../../src/scan/systemd/unit-file.js';
import { extractWords, splitShellWords } from '../../../src/scan/systemd/words.js';

const U = '/etc/systemd/system/x.service';

function assignment(key: string, value: string, line = 5): UnitAssignment {
  return { section: 'Service', key, value, path: U, line, valueLines: new Array(value.length).fill(line) };
}

function envMap(vars: Record<string, string>): Map<string, EnvVar> {
  return new Map(Object.entries(vars).map(([name, value]) => [name, { name, value, path: '/etc/default/x', line: 1 }]));
}

describe('extractWords (systemd quoting)', () => {
  it('groups quoted text anywhere in a word and removes the quotes', () => {
    const r = extractWords(`a "b c" d'e f'g --x='' "q\\"uote"`, { unquote: true, cunescape: true, relax: false });
    expect(r.words.map((w) => w.text)).toEqual(['a', 'b c', 'de fg', '--x=', 'q"uote']);
    expect(r.words.map((w) => w.start)).toEqual([0, 2, 8, 16, 23]);
  });

  it('decodes C escapes and keeps unknown ones verbatim with a warning flag', () => {
    const r = extractWords('\\x41\\t\\s\\101 \\q', { unquote: true, cunescape: true, relax: false });
    expect(r.words.map((w) => w.text)).toEqual(['A\t A', '\\q']);
    expect(r.unknownEscape).toBe(true);
  });

  it('stops at unbalanced quotes unless relaxed', () => {
    expect(extractWords('a "b', { unquote: true, cunescape: true, relax: false })).toMatchObject({
      words: [{ text: 'a' }],
      unbalanced: true,
    });
    expect(extractWords('a "b', { unquote: true, cunescape: false, relax: true }).words.map((w) => w.text)).toEqual(['a', 'b']);
  });
});

describe('Environment=', () => {
  it('takes several assignments per line, quotes grouping, and rejects invalid names with a finding', () => {
    const r = parseEnvironmentValue(assignment('Environment', `"A=x y" B=z C= 1BAD=q "D=a\\nb" NOEQ`));
    expect(r.vars.map((v) => [v.name, v.value])).toEqual([
      ['A', 'x y'],
      ['B', 'z'],
      ['C', ''],
      ['D', 'a\nb'],
    ]);
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([
      ['systemd-invalid-environment', 5],
      ['systemd-invalid-environment', 5],
    ]);
  });

  it('treats typographic quotes as ordinary characters (kubeadm-cy-gu line 12)', () => {
    const r = parseEnvironmentValue(assignment('Environment', '”cgroup-driver=systemd/cgroup-driver=cgroupfs”', 12));
    expect(r.vars).toEqual([]);
    expect(r.findings[0]).toMatchObject({ code: 'systemd-invalid-environment', line: 12 });
  });
});

describe('EnvironmentFile= (env-file.c)', () => {
  const P = '/etc/kubernetes/apiserver';

  it('reads KEY=value lines, quotes, comments and blank lines, with each key line', () => {
    const text = [
      '# comment',
      '; also a comment',
      '',
      'A="--x=1 --y=2"',
      "B='single \\n kept'",
      'C=plain value   ',
      '  D = spaced',
      'E="esc \\" \\$ \\q"',
      'F=line \\',
      'continued',
      'G=',
      'H="a" "b"',
    ].join('\n');
    const r = parseEnvFile(text, P);
    expect(r.findings).toEqual([]);
    expect(r.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['A', '--x=1 --y=2', 4],
      ['B', 'single \\n kept', 5],
      ['C', 'plain value', 6],
      ['D', 'spaced', 7],
      ['E', 'esc " $ \\q', 8],
      ['F', 'line continued', 9],
      ['G', '', 11],
      ['H', 'ab', 12],
    ]);
  });

  it('ignores "export" lines and lines without "=", each with a finding; the rest is still read', () => {
    const r = parseEnvFile('export A=1\ngarbage line\nB=2\n', P);
    expect(r.vars.map((v) => v.name)).toEqual(['B']);
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([
      ['systemd-invalid-environment', 1],
      ['systemd-env-file-syntax', 2],
    ]);
    expect(r.findings[0].message).toContain('export');
  });

  it('strips the trailing spaces of a value (kubeadm-cy-gu kubeadm-flags.env)', () => {
    const r = parseEnvFile('KUBELET_KUBEADM_ARGS="--cgroup-driver=cgroupfs --resolv-conf=/run/systemd/resolve/resolv.conf"    \n', P);
    expect(r.vars[0].value).toBe('--cgroup-driver=cgroupfs --resolv-conf=/run/systemd/resolve/resolv.conf');
  });

  it('reads runs of plain text as systemd reads characters: tabs, CR LF, lines inside quotes, characters outside the BMP', () => {
    const text = 'A \t =1\r\nB=x  y \t\nD="q\nr\\"s\\x"\nE=\'u\nv\'w\nF=\u{1F600}\\\u{1F600}\nG="\\\u{1F600}"\n G  H=1\n';
    const r = parseEnvFile(text, P);
    expect(r.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['A', '1', 1],
      ['B', 'x  y', 2],
      ['D', 'q\nr"s\\x', 3],
      ['E', 'u\nvw', 5],
      ['F', '\u{1F600}\u{1F600}', 7],
      ['G', '\\\u{1F600}', 8],
    ]);
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([['systemd-invalid-environment', 9]]);
  });

  it('never throws and is deterministic on arbitrary input', () => {
    const piece = fc.constantFrom('A', '=', '"', "'", '\\', '\n', '\r', '#', ' ', 'export ', 'x');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(piece).map((a) => a.join(''))), (s) => {
        expect(parseEnvFile(s, P)).toEqual(parseEnvFile(s, P));
        expect(parseEnvironmentValue(assignment('Environment', s))).toEqual(parseEnvironmentValue(assignment('Environment', s)));
      }),
      { numRuns: 400 },
    );
  });
});

describe('ExecStart=', () => {
  it('parses prefixes, quoting and the program path', () => {
    const r = parseExecValue(assignment('ExecStart', `-!/usr/bin/kubelet "--a=b c" '--d'`), 'kubelet.service');
    expect(r.findings).toEqual([]);
    expect(r.commands).toHaveLength(1);
    expect(r.commands[0]).toMatchObject({ path: '/usr/bin/kubelet', prefixes: '-!', expand: true });
    expect(r.commands[0].argv.map((w) => w.text)).toEqual(['/usr/bin/kubelet', '--a=b c', '--d']);
  });

  it('takes argv[0] from the next word with "@", and ":" turns expansion off', () => {
    const r = parseExecValue(assignment('ExecStart', ':@/usr/bin/hyperkube kube-apiserver $X'), 'a.service');
    expect(r.commands[0].argv.map((w) => w.text)).toEqual(['kube-apiserver', '$X']);
    expect(r.commands[0].expand).toBe(false);
    expect(expandArgs(r.commands[0], envMap({ X: 'y' })).args.map((w) => w.text)).toEqual(['$X']);
  });

  it('separates commands at a lone unquoted ";" only', () => {
    const r = parseExecValue(assignment('ExecStart', '/bin/a ";" \\; x ; /bin/b'), 'a.service');
    expect(r.commands.map((c) => c.argv.map((w) => w.text))).toEqual([['/bin/a', ';', ';', 'x'], ['/bin/b']]);
    expect(r.findings).toEqual([]);
  });

  it('resolves the specifiers known offline', () => {
    expect(resolveSpecifiers('%n %N %p %i 100%% %H', 'kubelet.service')).toBe('kubelet.service kubelet kubelet  100% %H');
  });

  it('reports unbalanced quotes and ignores the command', () => {
    const r = parseExecValue(assignment('ExecStart', '/bin/a "--x'), 'a.service');
    expect(r.commands).toEqual([]);
    expect(r.findings[0]).toMatchObject({ code: 'systemd-unbalanced-quotes', severity: 'error' });
  });
});

describe('ExecStart expansion (replace_env_argv)', () => {
  const cmd = (value: string) => parseExecValue(assignment('ExecStart', value), 'a.service').commands[0];

  it('splits a standalone $VAR into words, removing quotes inside the value (recent systemd)', () => {
    const env = envMap({ ARGS: `--a=1  --b='x y' --enforce-node-allocatable='' --c="q"` });
    const r = expandArgs(cmd('/bin/k $ARGS'), env);
    expect(r.args.map((w) => w.text)).toEqual(['--a=1', '--b=x y', '--enforce-node-allocatable=', '--c=q']);
    expect(r.args.every((w) => w.source === '/etc/default/x:1')).toBe(true);
  });

  it('replaces ${VAR} inside a word as one word, and $VAR inside a word not at all', () => {
    const r = expandArgs(cmd('/bin/k --ip=${IP} --raw=$IP ${IP}'), envMap({ IP: '10.0.0.1 x' }));
    expect(r.args.map((w) => w.text)).toEqual(['--ip=10.0.0.1 x', '--raw=$IP', '10.0.0.1 x']);
    expect(r.args[0].source).toBe(`${U}:5`);
  });

  it('turns $$ into $ and leaves ${VAR:-default} as written', () => {
    const r = expandArgs(cmd('/bin/k $$HOME --p=a$$b ${A:-x}'), envMap({ HOME: '/root', A: 'set' }));
    expect(r.args.map((w) => w.text)).toEqual(['$HOME', '--p=a$b', '${A:-x}']);
  });

  it('expands unset variables to nothing and names each once', () => {
    const r = expandArgs(cmd('/bin/k $NOPE --a=${GONE} $NOPE $not-valid'), envMap({}));
    expect(r.args.map((w) => w.text)).toEqual(['--a=']);
    expect(r.unset.map((u) => [u.name, u.braces])).toEqual([
      ['NOPE', false],
      ['GONE', true],
    ]);
  });
});

describe('splitShellWords (sh -c wrappers)', () => {
  it('splits like a shell without expanding, up to the first command separator', () => {
    expect(splitShellWords(`GOMAXPROCS=$(nproc) /usr/bin/etcd --name="default" --x='a b' c\\ d; echo no`)).toEqual([
      'GOMAXPROCS=$(nproc)',
      '/usr/bin/etcd',
      '--name=default',
      '--x=a b',
      'c d',
    ]);
  });
});
