/**
 * scripts/bundle.mjs packs dist/ into one script with a V8 code cache; bin/kdiff.js runs it only
 * while every file it was built from is unchanged. Built here in a copy of the package (bin, dist,
 * the script), so the tree the other tests run is never touched: the bundled CLI must answer
 * exactly as the modules it was made from, and a rebuilt module must win over a stale bundle.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
let copy = '';

function kdiff(args: string[], env: Record<string, string> = {}, timeout?: number) {
  const r = spawnSync(process.execPath, [join(copy, 'bin/kdiff.js'), ...args], {
    cwd: copy, encoding: 'utf8', maxBuffer: 64 << 20, timeout, env: { PATH: process.env.PATH ?? '', KDIFF_NOW: '2026-01-15T00:00:00Z', NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  copy = mkdtempSync(join(tmpdir(), 'kdiff-bundle-'));
  for (const d of ['bin', 'dist']) cpSync(join(root, d), join(copy, d), { recursive: true });
  for (const f of ['dist/kdiff.bundle.cjs', 'dist/kdiff.bundle.cache', 'dist/kdiff.bundle.tuned.cache']) rmSync(join(copy, f), { force: true });
  cpSync(join(root, 'scripts/bundle.mjs'), join(copy, 'scripts/bundle.mjs'));
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  symlinkSync(join(root, 'fixtures'), join(copy, 'fixtures'));
  const r = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: copy, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bundle failed: ${r.stderr}`);
}, 120_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('the bundled CLI', () => {
  it('is written with its code cache, and used with it', () => {
    expect(readFileSync(join(copy, 'dist/kdiff.bundle.cjs'), 'utf8')).toContain('//# kdiff-bundle-manifest ');
    expect(readFileSync(join(copy, 'dist/kdiff.bundle.cache')).length).toBeGreaterThan(1000);
    // The second cache, made under the V8 flags an audit sets before it reads nodes (bin/kdiff.js V8_FLAGS).
    const tuned = readFileSync(join(copy, 'dist/kdiff.bundle.tuned.cache'));
    expect(tuned.length).toBeGreaterThan(1000);
    expect(tuned.equals(readFileSync(join(copy, 'dist/kdiff.bundle.cache')))).toBe(false);
    expect(kdiff(['paths'], { KDIFF_BUNDLE_REPORT: '1' }).stderr).toBe('kdiff: bundle used, code cache accepted\n');
    expect(kdiff(['paths'], { KDIFF_BUNDLE_REPORT: '1', KDIFF_NO_BUNDLE: '1' }).stderr).toBe('kdiff: bundle not wanted\n');
  });

  const MASTER = 'fixtures/seed-kubeadm-master';
  const HARD = 'fixtures/seed-hard-way-controller';
  const commands: string[][] = [
    [MASTER, MASTER],
    [MASTER, HARD],
    [MASTER, HARD, '--format', 'json'],
    [MASTER, HARD, '--unified'],
    [MASTER, HARD, '--format', 'sarif'],
    ['scan', MASTER, '--format', 'json'],
    ['certs', MASTER],
    ['audit', MASTER, HARD, '--format', 'json'],
    ['paths'],
    ['--help'],
    ['--version'],
    ['scan', '--bogus'],
    ['no-such-node', MASTER],
    // Its text holds non-ASCII characters (→), which the bundle carries as \u escapes.
    ['etcd', 'diff', 'fixtures/etcd/large.db', 'fixtures/etcd/k8s-a.db'],
  ];
  it.each(commands)('answers as the unbundled modules: kdiff %s', (...args: string[]) => {
    const bundled = kdiff(args);
    const modules = kdiff(args, { KDIFF_NO_BUNDLE: '1' });
    expect(bundled).toEqual(modules);
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(0);
  });

  it('starts the worker threads of a large audit from the bundle too, with the same answer', () => {
    const nodes = Array.from({ length: 60 }, (_, i) => [MASTER, HARD, 'fixtures/seed-kubeadm-worker'][i % 3]);
    const args = ['audit', '--baseline', MASTER, ...nodes, '--format', 'json'];
    const bundled = kdiff(args, { KDIFF_WORKERS: '2', KDIFF_BUNDLE_REPORT: '1' });
    // The launcher started the first worker before the audit asked (bin/kdiff.js), the audit the second;
    // the audit set its V8 flags before it started the second, which therefore takes the other code cache.
    const lines = bundled.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toBe('kdiff: bundle used, code cache accepted');
    expect(lines.slice(1).sort()).toEqual([
      'kdiff: audit worker started early by the launcher',
      'kdiff: worker from the bundle, code cache accepted',
      'kdiff: worker from the bundle, code cache accepted',
    ]);
    const modules = kdiff(args, { KDIFF_WORKERS: '2', KDIFF_NO_BUNDLE: '1' });
    expect(bundled.code).toBe(1);
    expect(bundled.stdout).toBe(modules.stdout);
    expect(JSON.parse(bundled.stdout).nodes).toHaveLength(60);
  });

  it('starts no early worker for an audit that wants none, and never waits on one it did not use', () => {
    const nodes = Array.from({ length: 60 }, () => MASTER);
    // KDIFF_WORKERS=0: no worker at all; the launcher does not start one either.
    const none = kdiff(['audit', '--baseline', MASTER, ...nodes, '--format', 'json'], { KDIFF_WORKERS: '0', KDIFF_BUNDLE_REPORT: '1' });
    expect(none.stderr).toBe('kdiff: bundle used, code cache accepted\n');
    expect(JSON.parse(none.stdout).summary).toEqual({ nodes: 60, drifted: 0, differences: 0 });
    // Fewer nodes than an audit shares out (PARALLEL_MIN_NODES in src/audit/audit.ts), counted past the options' values.
    const few = kdiff(['audit', '--baseline', MASTER, '--format', 'json', ...nodes.slice(0, 49)], { KDIFF_BUNDLE_REPORT: '1' });
    expect(few.stderr).toBe('kdiff: bundle used, code cache accepted\n');
    expect(JSON.parse(few.stdout).nodes).toHaveLength(49);
    // Started, then never adopted: help and a usage error still end with their own answer (a
    // process kept alive by the worker would be killed at the timeout, with no exit code).
    const help = kdiff(['audit', ...nodes, '--help'], {}, 30_000);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: kdiff audit');
    const bad = kdiff(['audit', ...nodes, '--format', 'nope'], {}, 30_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('nope');
  });

  it('colours through chalk, which is loaded as an ES module', () => {
    const bundled = kdiff([MASTER, HARD], { FORCE_COLOR: '1', NO_COLOR: '' });
    expect(bundled.stdout).toContain('\u001b[');
    expect(bundled).toEqual(kdiff([MASTER, HARD], { FORCE_COLOR: '1', NO_COLOR: '', KDIFF_NO_BUNDLE: '1' }));
  });

  it('is written in ASCII and says so; without that mark it is not used', () => {
    const file = join(copy, 'dist/kdiff.bundle.cjs');
    const text = readFileSync(file, 'latin1');
    expect(text.startsWith('// kdiff bundle: ASCII\n')).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(/[^\x00-\x7f]/.test(text)).toBe(false);
    expect(text).toContain('\\u2192');
    const saved = readFileSync(file);
    try {
      writeFileSync(file, text.slice('// kdiff bundle: ASCII\n'.length), 'latin1');
      const r = kdiff(['paths'], { KDIFF_BUNDLE_REPORT: '1' });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('kdiff: bundle stale (not ASCII)\n');
    } finally {
      writeFileSync(file, saved);
    }
  });

  it('is not used once a module it was built from changes', () => {
    const file = join(copy, 'dist/cli/main.js');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('compare two nodes');
    writeFileSync(file, text.replace('compare two nodes', 'compare two nodes (rebuilt)'));
    const r = kdiff(['--help'], { KDIFF_BUNDLE_REPORT: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('kdiff: bundle stale (cli/main.js changed)\n');
    expect(r.stdout).toContain('compare two nodes (rebuilt)');
  });
});
