/**
 * The package as users get it: `npm pack` the repository (built by `npm test` first), install the
 * tarball into a scratch project, and use it from an ESM and a CommonJS script. No network: npm
 * installs from its cache (--offline); if it cannot, the tarball is unpacked by hand and the
 * repository's own copies of the runtime dependencies are linked in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
const MASTER = join(root, 'fixtures/seed-kubeadm-master');
const WORKER = join(root, 'fixtures/seed-kubeadm-worker');

let dir: string;
let project: string;
let tarball: string;
let installedBy: 'npm' | 'hand';

function npm(args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: 40_000,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  return { ok: r.status === 0, out: `${r.stdout}\n${r.stderr}` };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  dir = mkdtempSync(join(tmpdir(), 'kdiff-pack-'));
  // --ignore-scripts: `prepare` would rebuild dist/ while other test files run the built CLI.
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
  if (!packed.ok) throw new Error(`npm pack failed:\n${packed.out}`);
  const name = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no tarball:\n${packed.out}`);
  tarball = join(dir, name);

  project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
  const installed = npm(['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], project);
  if (installed.ok && existsSync(join(project, 'node_modules', pkg.name, 'dist/index.js'))) {
    installedBy = 'npm';
    return;
  }
  // No cache for the dependencies: unpack by hand and link the repository's copies.
  installedBy = 'hand';
  rmSync(join(project, 'node_modules'), { recursive: true, force: true });
  const target = join(project, 'node_modules', pkg.name);
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  for (const dep of Object.keys(pkg.dependencies)) {
    const link = join(project, 'node_modules', dep);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(file: string, source: string): { code: number | null; stdout: string; stderr: string } {
  writeFileSync(join(project, file), source);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the packed package', () => {
  it('holds the built library, the CLI launcher and the docs, but no sources or tests', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(list).toEqual(expect.arrayContaining(['package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/bin/kdiff.js', 'package/bin/package.json', 'package/README.md']));
    expect(list.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/') || f.startsWith('package/fixtures/'))).toBe(false);
    expect(['npm', 'hand']).toContain(installedBy);
  });

  it('works from ESM import and CommonJS require, and both agree', () => {
    const esm = run(
      'esm.mjs',
      `import { scanNode, diffNodes, formatReport } from '${pkg.name}';
const left = await scanNode(${JSON.stringify(MASTER)});
const right = await scanNode(${JSON.stringify(WORKER)});
const report = diffNodes(left, right);
JSON.parse(formatReport(report, 'json'));
console.log(JSON.stringify({ differences: report.differences.length, components: left.components.length + right.components.length }));
`,
    );
    const cjs = run(
      'cjs.cjs',
      `const { scanNode, diffNodes, formatReport } = require('${pkg.name}');
(async () => {
  const left = await scanNode(${JSON.stringify(MASTER)});
  const right = await scanNode(${JSON.stringify(WORKER)});
  const report = diffNodes(left, right);
  JSON.parse(formatReport(report, 'json'));
  console.log(JSON.stringify({ differences: report.differences.length, components: left.components.length + right.components.length }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    expect(esm).toMatchObject({ code: 0 });
    expect(cjs).toMatchObject({ code: 0 });
    // Loading an ES module with require() must not have needed top-level await (ERR_REQUIRE_ASYNC_MODULE).
    expect(cjs.stderr).not.toMatch(/ERR_REQUIRE/);
    const a = JSON.parse(esm.stdout) as { differences: number; components: number };
    expect(a.differences).toBeGreaterThan(0);
    expect(a.components).toBeGreaterThan(4);
    expect(JSON.parse(cjs.stdout)).toEqual(a);
  });

  it('installs the kdiff command', () => {
    const bin = join(project, 'node_modules/.bin/kdiff');
    const launcher = existsSync(bin) ? bin : join(project, 'node_modules', pkg.name, 'bin/kdiff.js');
    const r = spawnSync(process.execPath, [launcher, '--version'], { cwd: project, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
