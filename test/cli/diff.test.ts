/** Runs the built CLI (`npm run build` first; `npm test` does) on the snapshot fixtures. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagInfo, flagForConfigField, securityVerdict } from '../../src/knowledge/flags.js';
import { colourLevel, parseFailOn, DEFAULT_FAIL_ON, run } from '../../src/cli/commands/diff.js';
import type { CliIO } from '../../src/cli/io.js';
import type { DiffReport } from '../../src/model/types.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/kdiff.js');
const snap = (name: string) => `fixtures/snapshots/${name}.json`;

function kdiff(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (args: string[]) => {
  const r = kdiff([...args, '--format', 'json']);
  return { ...r, report: JSON.parse(r.stdout) as DiffReport };
};

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
});

describe('kdiff <left> <right>', () => {
  it('exits 0 with no differences for a node against itself', () => {
    const r = kdiff([snap('kubeadm-cp-1'), snap('kubeadm-cp-1')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`left:  ${snap('kubeadm-cp-1')} (kubeadm, control-plane)\nright: ${snap('kubeadm-cp-1')} (kubeadm, control-plane)\n\nNo differences.\n`);
  });

  it('exits 0 for a renewed certificate set', () => {
    const r = json([snap('kubeadm-cp-1'), snap('kubeadm-cp-1-renewed')]);
    expect(r.code).toBe(0);
    expect(r.report.differences).toEqual([]);
  });

  it('sees nothing in a reordered node; the admission plugins need the knowledge that they are a set', () => {
    const r = json([snap('kubeadm-cp-1'), snap('kubeadm-cp-1-reordered')]);
    const knowsSet = flagInfo('kube-apiserver', '--enable-admission-plugins')?.type === 'set';
    // Without that knowledge the plugin list is a plain string and so differs; with it, nothing does.
    expect(r.report.differences.map((d) => d.key)).toEqual(knowsSet ? [] : ['--enable-admission-plugins']);
    expect(r.code).toBe(knowsSet ? 0 : 1);
  });

  it('exits 1 when the kubelet allows anonymous requests on the right', () => {
    const r = json([snap('kubeadm-cp-1'), snap('kubeadm-cp-1-anonymous')]);
    expect(r.code).toBe(1);
    expect(r.report.differences).toHaveLength(1);
    const [d] = r.report.differences;
    expect(d).toMatchObject({ component: 'kubelet', change: 'changed' });
    const mirrored = flagForConfigField('KubeletConfiguration', 'authentication.anonymous.enabled');
    expect(d.key).toBe(mirrored ?? 'KubeletConfiguration.authentication.anonymous.enabled');
    if (mirrored && securityVerdict('kubelet', mirrored, 'true')?.weak) expect(d.category).toBe('security');
    expect(r.report.summary.differences).toBe(1);
    expect(r.report.left.label).toBe(snap('kubeadm-cp-1'));
  });

  it('does not tell two nodes of one cluster apart, unless asked to', () => {
    expect(kdiff([snap('kubeadm-cp-1'), snap('kubeadm-cp-2')]).code).toBe(0);
    const r = json([snap('kubeadm-cp-1'), snap('kubeadm-cp-2'), '--no-normalize-identity']);
    expect(r.code).toBe(1);
    expect(r.report.differences.map((d) => d.key)).toEqual(expect.arrayContaining(['--advertise-address', '--name', '--node-ip']));
  });

  it('counts only the --fail-on categories', () => {
    const args = [snap('kubeadm-cp-1'), snap('kubeadm-cp-1-anonymous')];
    expect(kdiff([...args, '--fail-on', 'layout']).code).toBe(0);
    expect(kdiff([...args, '--fail-on', 'none']).code).toBe(0);
    expect(kdiff([...args, '--fail-on', 'all']).code).toBe(1);
    const bad = kdiff([...args, '--fail-on', 'security,bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on: unknown category "bogus"');
  });

  it('writes Markdown and unified diffs', () => {
    const args = [snap('kubeadm-cp-1'), snap('kubeadm-cp-1-anonymous')];
    const md = kdiff([...args, '--format', 'markdown']);
    expect(md.stdout).toMatch(/^## kdiff: `fixtures\/snapshots\/kubeadm-cp-1.json` vs/);
    expect(md.stdout).toContain('### `kubelet`');
    const u = kdiff([...args, '--unified']);
    expect(u.code).toBe(1);
    expect(u.stdout).toContain('--- fixtures/snapshots/kubeadm-cp-1.json/kubelet\n+++ fixtures/snapshots/kubeadm-cp-1-anonymous.json/kubelet\n');
    // The left side's `anonymous.enabled: false` is the config-file default: a setting at its default is no line.
    expect(u.stdout).not.toMatch(/^-.*anonymous/m);
    expect(u.stdout).toMatch(/^\+.*anonymous.*true/m);
    expect(kdiff([...args, '--unified', '--format', 'json']).code).toBe(2);
  });

  it('writes to --output and nothing to stdout; --quiet prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiff-'));
    try {
      const out = join(dir, 'report.json');
      const r = kdiff([snap('kubeadm-cp-1'), snap('kubeadm-cp-1-anonymous'), '--format', 'json', '--output', out]);
      expect(r).toMatchObject({ code: 1, stdout: '', stderr: '' });
      expect(JSON.parse(readFileSync(out, 'utf8')).kdiff).toBe('report');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(kdiff([snap('kubeadm-cp-1'), snap('kubeadm-cp-1-anonymous'), '--quiet'])).toMatchObject({ code: 1, stdout: '', stderr: '' });
  });

  it('colours only when forced or on a terminal, and never with --no-color', () => {
    const args = [snap('kubeadm-cp-1'), snap('kubeadm-cp-1-anonymous')];
    expect(kdiff(args).stdout).not.toMatch(/\u001b\[/);
    expect(kdiff(args, { FORCE_COLOR: '1' }).stdout).toMatch(/\u001b\[/);
    expect(kdiff([...args, '--no-color'], { FORCE_COLOR: '1' }).stdout).not.toMatch(/\u001b\[/);
    expect(kdiff([...args, '--format', 'json'], { FORCE_COLOR: '1' }).stdout).not.toMatch(/\u001b\[/);
  });

  it('exits 2 on trouble, with one line on stderr', () => {
    const missing = kdiff([snap('kubeadm-cp-1'), 'fixtures/snapshots/nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('kdiff: fixtures/snapshots/nope.json: no such file or directory\n');
    expect(kdiff([snap('kubeadm-cp-1')]).code).toBe(2);
    expect(kdiff([snap('kubeadm-cp-1'), snap('kubeadm-cp-1'), '--format', 'yaml']).code).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'kdiff-'));
    try {
      writeFileSync(join(dir, 'bad.json'), '{ "kdiff": ');
      writeFileSync(join(dir, 'other.json'), '{ "kdiff": "report", "schemaVersion": 1 }');
      const bad = kdiff([snap('kubeadm-cp-1'), join(dir, 'bad.json')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/bad\.json: not valid JSON/);
      expect(kdiff([snap('kubeadm-cp-1'), join(dir, 'other.json')]).stderr).toMatch(/not a kdiff snapshot/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compares the real seed pair: exit 1, run modes and layout, no certificate path reported as security', () => {
    const r = json(['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller']);
    expect(r.code).toBe(1);
    const d = r.report.differences;
    expect(d.filter((x) => x.category === 'run-mode')).toHaveLength(4);
    expect(d.some((x) => x.category === 'security' && /--(tls-cert|etcd-cert|etcd-key|cert|key|client-ca)-?file$/.test(x.key))).toBe(false);
    expect(kdiff(['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller', '--fail-on', 'layout,run-mode']).code).toBe(1);
    expect(kdiff(['fixtures/seed-kubeadm-master', 'fixtures/seed-kubeadm-master']).code).toBe(0);
  });

  it('reads a node directory', () => {
    const dir = 'fixtures/corpus/kubeadm-zetaoss/v1.29.0-31ee222';
    expect(kdiff([dir, dir]).code).toBe(0);
  });

  it('prints its help and exits 0', () => {
    const io = fakeIO();
    return run(['--help'], io).then((code) => {
      expect(code).toBe(0);
      expect(io.out.join('')).toContain('--fail-on <categories>');
    });
  });
});

describe('diff command settings', () => {
  it('fails on everything but layout by default', () => {
    expect([...DEFAULT_FAIL_ON]).toEqual(['security', 'config', 'version', 'run-mode', 'presence', 'certificate']);
    expect([...parseFailOn(undefined)]).toEqual([...DEFAULT_FAIL_ON]);
    expect([...parseFailOn('security, config')]).toEqual(['security', 'config']);
    expect(parseFailOn('all').size).toBe(7);
    expect(parseFailOn('none').size).toBe(0);
  });

  it('picks the colour level from the terminal and the environment', () => {
    const io = (tty: boolean, env: Record<string, string> = {}) => ({ ...fakeIO(), stdoutIsTTY: tty, env });
    expect(colourLevel(true, io(false))).toBe(0);
    expect(colourLevel(true, io(true))).toBe(1);
    expect(colourLevel(true, io(true, { COLORTERM: 'truecolor' }))).toBe(3);
    expect(colourLevel(true, io(true, { NO_COLOR: '1' }))).toBe(0);
    expect(colourLevel(true, io(false, { FORCE_COLOR: '2' }))).toBe(2);
    expect(colourLevel(true, io(true, { FORCE_COLOR: '0' }))).toBe(0);
    expect(colourLevel(false, io(true, { FORCE_COLOR: '3' }))).toBe(0);
  });
});

function fakeIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: root };
}

describe('a reader that stops early', () => {
  it('closing the pipe after the first chunk ends kdiff quietly with its answer (1: the nodes differ)', async () => {
    const { spawn } = await import('node:child_process');
    // An audit report of some 500 KB: more than a pipe holds, so kdiff is still writing when it closes.
    const nodes = ['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller', 'fixtures/seed-kubeadm-worker', ...Array.from({ length: 8 }, () => 'fixtures/corpus/kubernetes-the-hard-way/2025-04-1.32.3')];
    const child = spawn(process.execPath, [bin, 'audit', '--baseline', 'fixtures/seed-kubeadm-master', ...nodes, '--format', 'json'], {
      cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `| head -c 1`: read one chunk, then close the pipe before the report is written out.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });
});
