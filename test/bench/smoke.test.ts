/**
 * The benchmark (scripts/bench.mjs) on a tiny fleet, so it cannot rot; and the audit's worker
 * threads against its single thread on that fleet, with and without a baseline. Runs the built CLI
 * (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport } from '../../src/model/types.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/kdiff.js');
const NODES = 20;
let work: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  work = mkdtempSync(join(tmpdir(), 'kdiff-bench-smoke-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function audit(args: string[], workers: string): { code: number | null; report: AuditReport; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'audit', '--format', 'json', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { PATH: process.env.PATH ?? '', KDIFF_WORKERS: workers, KDIFF_NOW: '2026-06-01T00:00:00Z' },
  });
  return { code: r.status, report: JSON.parse(r.stdout) as AuditReport, stderr: r.stderr };
}

describe('npm run bench, on a tiny fleet', () => {
  it('completes and finds exactly the drifted workers', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/bench.mjs')], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, BENCH_SIZES: String(NODES), BENCH_REPS: '1', BENCH_START_REPS: '1', BENCH_OUT: '-', BENCH_DIR: work },
    });
    expect(r.stderr).toContain(`fleet of ${NODES}: kdiff audit`);
    expect(r.status).toBe(0);
    // Every tenth worker is drifted: w00009 and w00019 of 20.
    const row = r.stdout.split('\n').find((l) => l.startsWith(`| ${NODES} |`));
    expect(row).toBeDefined();
    expect(row).toMatch(/\| yes \(2\/2\) \|$/);
    for (const name of ['`node -e 0`', '`kdiff --version`', '`kdiff scan <worker>`', '`kdiff <cp> <cp>`']) {
      expect(r.stdout).toMatch(new RegExp(`\\| ${name.replace(/[<>]/g, '.')} \\| \\d+ ms \\| \\d+\\.\\d\\d× \\|`));
    }
  });

  it('reports the same audit from worker threads as from one thread, against a baseline and against the majority', () => {
    const fleet = join(work, `fleet-${NODES}`);
    const nodes = Array.from({ length: NODES }, (_, i) => join(fleet, `w${String(i).padStart(5, '0')}`));
    // A missing node is reported, not fatal, in either mode; without a baseline the first readable node is the provisional reference.
    const inputs = [join(fleet, 'no-such-node'), ...nodes];
    for (const args of [['--baseline', nodes[0], ...inputs], inputs]) {
      const one = audit(args, '0');
      const many = audit(args, '2');
      expect(one.code).toBe(1);
      expect(many.code).toBe(1);
      expect(many.report).toEqual(one.report);
      const drifted = one.report.nodes.filter((n) => n.differences.length > 0).map((n) => n.label);
      expect(drifted).toEqual([nodes[9], nodes[19]]);
      expect(one.report.nodes.map((n) => n.label)).toEqual(inputs);
      expect(one.report.nodes[0].error).toContain('no such file or directory');
      expect(one.report.summary).toMatchObject({ nodes: NODES + 1, drifted: 2, unreadable: 1 });
    }
  });
});
