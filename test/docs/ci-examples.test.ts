/**
 * The CI examples in docs/examples/ci are run for real: their shell steps are taken from the YAML
 * and executed against a small generated fleet packed as tarballs, with `kdiff` on PATH being this
 * checkout's bin. What GitHub code scanning and GitLab read (SARIF, JUnit) is checked.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, basename } from 'node:path';
import { load } from 'js-yaml';
import { XMLParser } from 'fast-xml-parser';

const ROOT = resolve('.');
let work: string;
let drifted: string[];

/** The shell commands of a GitHub workflow (`jobs.*.steps[].run`) or a GitLab file (`<job>.script[]`), in order. */
function steps(file: string): string[] {
  const doc = load(readFileSync(join(ROOT, 'docs/examples/ci', file), 'utf8')) as Record<string, any>;
  const cmds: string[] = [];
  const jobs: any[] = doc.jobs ? Object.values(doc.jobs) : Object.values(doc).filter((j) => j && typeof j === 'object' && !Array.isArray(j));
  for (const job of jobs) {
    for (const s of job.steps ?? []) if (typeof s.run === 'string') cmds.push(s.run);
    for (const line of job.script ?? []) if (typeof line === 'string') cmds.push(line);
  }
  const kept = cmds.filter((c) => !/npm install --global kdiff/.test(c));
  expect(kept.length).toBeGreaterThan(0);
  return kept;
}

function sh(cmd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', cmd], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: join(work, 'summary.md'), NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kdiff-ci-'));
  const { generateFleet } = await import(join(ROOT, 'scripts/fleet.mjs'));
  const fleet = await generateFleet(join(work, 'fleet'), { workers: 6, driftEvery: 3 });
  drifted = fleet.drifted.map((d: string) => `nodes/${basename(d)}.tgz`);
  mkdirSync(join(work, 'nodes'));
  for (const n of fleet.nodes) execFileSync('tar', ['czf', join(work, 'nodes', `${basename(n)}.tgz`), '-C', n, '.']);
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin/kdiff'), `#!/bin/sh\nexec node ${JSON.stringify(join(ROOT, 'bin/kdiff.js'))} "$@"\n`);
  chmodSync(join(work, 'bin/kdiff'), 0o755);
  mkdirSync(join(work, 'baselines'));
  writeFileSync(join(work, 'baselines/worker.json'), execFileSync('node', [join(ROOT, 'bin/kdiff.js'), 'scan', fleet.nodes[0], '--format', 'json'], { encoding: 'utf8' }));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('docs/examples/ci/github-actions.yml', () => {
  it('fails the job on drift, writes SARIF 2.1.0 naming exactly the drifted nodes, and a step summary', () => {
    const [audit, summary] = steps('github-actions.yml');
    const r = sh(audit);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(join(work, 'kdiff.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const uris = [...new Set(sarif.runs[0].results.map((x: any) => x.locations[0].physicalLocation.artifactLocation.uri))].sort();
    expect(uris).toEqual([...drifted].sort());
    expect(sh(summary).code).toBe(0);
    expect(readFileSync(join(work, 'summary.md'), 'utf8')).toMatch(/### kdiff audit against baseline `baselines\/worker.json`/);
  });
});

describe('docs/examples/ci/gitlab-ci.yml', () => {
  it('fails the job on drift and writes JUnit with one failing suite per drifted node', () => {
    const [audit] = steps('gitlab-ci.yml');
    const r = sh(audit);
    expect(r.code).toBe(1);
    expect(existsSync(join(work, 'kdiff-junit.xml'))).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(readFileSync(join(work, 'kdiff-junit.xml'), 'utf8'));
    const failing = doc.testsuites.testsuite.filter((s: any) => Number(s['@_failures']) > 0).map((s: any) => s['@_name']).sort();
    expect(failing).toEqual([...drifted].sort());
  });
});
