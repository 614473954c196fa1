// `npm run bench`: kdiff against what a user would do instead (a `diff -rq` loop over copied
// trees) and against the floor (reading every byte once), on a generated fleet; plus start-up.
// Writes docs/performance.md. Sizes and repetitions: BENCH_SIZES=100,1000,5000 BENCH_REPS=3.
// BENCH_OUT=- prints the table instead of writing the doc (the smoke test uses that).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir, cpus, totalmem, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateFleet } from './fleet.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'kdiff.js');
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const START_REPS = Number(process.env.BENCH_START_REPS ?? 15);
const WORK = process.env.BENCH_DIR ?? join(tmpdir(), 'kdiff-bench');
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'docs', 'performance.md');
const HAS_TIME = existsSync('/usr/bin/time');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs a command, returns wall ms, peak RSS (KiB, via GNU time when present), exit code and stdout. */
function run(cmd, args, options = {}) {
  const full = HAS_TIME ? ['/usr/bin/time', ['-f', '%M', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let rss = null;
  if (HAS_TIME) {
    const lines = (r.stderr ?? '').trim().split('\n');
    rss = Number(lines.pop());
    r.stderr = lines.join('\n');
  }
  return { ms, rss, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repeat(n, fn) {
  const runs = Array.from({ length: n }, fn);
  return { ms: median(runs.map((r) => r.ms)), rss: runs[0].rss === null ? null : Math.max(...runs.map((r) => r.rss)), last: runs[runs.length - 1] };
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (kib) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MB`);

const fleetRows = [];
for (const n of SIZES) {
  const dir = join(WORK, `fleet-${n}`);
  process.stderr.write(`fleet of ${n}: generating (cached between runs) ...\n`);
  const { nodes, drifted } = await generateFleet(dir, { workers: n });
  const baselineNode = nodes[0];
  const baseline = join(WORK, `baseline-${n}.json`);
  const scan = spawnSync('node', [BIN, 'scan', baselineNode, '--format', 'json'], { encoding: 'utf8' });
  if (scan.status !== 0) throw new Error(`kdiff scan failed: ${scan.stderr}`);
  writeFileSync(baseline, scan.stdout);

  process.stderr.write(`fleet of ${n}: kdiff audit ...\n`);
  const audit = repeat(REPS, () => run('node', [BIN, 'audit', '--baseline', baseline, '--format', 'json', ...nodes]));
  const report = JSON.parse(audit.last.stdout);
  const found = report.nodes.filter((x) => x.differences.length > 0).map((x) => x.label).sort();
  const correct = JSON.stringify(found) === JSON.stringify([...drifted].sort());

  process.stderr.write(`fleet of ${n}: diff -rq loop ...\n`);
  const loop = `for n in "$@"; do diff -rq --no-dereference "${baselineNode}" "$n" >/dev/null; done; true`;
  const diffLoop = repeat(REPS, () => run('bash', ['-c', loop, 'loop', ...nodes]));

  process.stderr.write(`fleet of ${n}: raw-read floor ...\n`);
  const floor = repeat(REPS, () => run('bash', ['-c', `find "${dir}" -type f -print0 | xargs -0 cat >/dev/null`]));

  fleetRows.push({ n, audit, diffLoop, floor, correct, drifted: drifted.length, found: found.length });
}

process.stderr.write('start-up ...\n');
const cp = join(ROOT, 'fixtures', 'seed-kubeadm-master');
const startRows = [
  ['`node -e 0`', repeat(START_REPS, () => run('node', ['-e', '0']))],
  ['`kdiff --version`', repeat(START_REPS, () => run('node', [BIN, '--version']))],
  ['`kdiff scan <worker>`', repeat(START_REPS, () => run('node', [BIN, 'scan', join(WORK, `fleet-${SIZES[0]}`, 'w00000')]))],
  ['`kdiff <cp> <cp>`', repeat(START_REPS, () => run('node', [BIN, cp, cp]))],
];
const nodeZero = startRows[0][1].ms;

const lines = [];
lines.push('# Performance', '');
lines.push('Measured by `npm run bench` (scripts/bench.mjs), which generates its own fleet of kubeadm workers');
lines.push('(scripts/fleet.mjs: one cluster CA, each worker with its own name, IP and kubelet certificates, every');
lines.push('tenth worker drifted in one of four ways) and runs, side by side:');
lines.push('');
lines.push('1. `kdiff audit --baseline <snapshot of a healthy worker> <N nodes> --format json`;');
lines.push('2. what a user would do instead: `for n in nodes; do diff -rq --no-dereference baseline $n; done`;');
lines.push('3. the floor: reading every byte of the same files once (`find -type f | xargs cat`).');
lines.push('');
lines.push(`Median of ${REPS} run(s) each; peak RSS from GNU time (\`%M\`), the largest of the runs. The audit's answer`);
lines.push('is checked: it must name exactly the drifted workers.');
lines.push('');
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node.js ${process.version}.`);
lines.push('');
lines.push('| nodes | kdiff audit | peak RSS | `diff -rq` loop | raw-read floor | audit / loop | audit / floor | drifted found |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of fleetRows) {
  lines.push(
    `| ${r.n} | ${fmtMs(r.audit.ms)} | ${fmtMb(r.audit.rss)} | ${fmtMs(r.diffLoop.ms)} | ${fmtMs(r.floor.ms)} | ${(r.audit.ms / r.diffLoop.ms).toFixed(2)} | ${(r.audit.ms / r.floor.ms).toFixed(2)} | ${r.correct ? `yes (${r.found}/${r.drifted})` : `NO (${r.found} found, ${r.drifted} drifted)`} |`,
  );
}
lines.push('');
lines.push(`Start-up, median of ${START_REPS} runs:`, '');
lines.push('| command | wall | vs `node -e 0` | peak RSS |');
lines.push('|---|---:|---:|---:|');
for (const [name, r] of startRows) lines.push(`| ${name} | ${fmtMs(r.ms)} | ${(r.ms / nodeZero).toFixed(2)}× | ${fmtMb(r.rss)} |`);
lines.push('');
lines.push('Rerun: `npm run bench` (all sizes; the fleets are cached in the system temp directory), or');
lines.push('`BENCH_SIZES=100 BENCH_REPS=1 npm run bench` for a quick look.');
const text = lines.join('\n') + '\n';
if (OUT === '-') process.stdout.write(text);
else {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
  process.stdout.write(text);
}
if (fleetRows.some((r) => !r.correct)) process.exitCode = 1;

