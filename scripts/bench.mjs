// `npm run bench`: kdiff against what a user would do instead (a `diff -rq` loop over copied
// trees) and against the floor (reading every byte once), on a generated fleet; plus start-up.
// Writes docs/performance.md. Sizes and repetitions: BENCH_SIZES=100,1000,5000 BENCH_REPS=3
// BENCH_START_REPS=15; BENCH_DIR is where fleets are generated (kept between runs).
// BENCH_OUT=- prints the table instead of writing the doc (the smoke test uses that).
// Unless BENCH_OUT=- or BENCH_BUNDLE=0, the CLI is first bundled (scripts/bundle.mjs: one script
// with a V8 code cache, which bin/kdiff.js uses while dist/ is unchanged); start-up is measured
// with and without it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir, cpus, totalmem, release, loadavg } from 'node:os';
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
// The audit runs with the environment of this process, minus anything that would change its threads.
const AUDIT_ENV = { ...process.env, KDIFF_WORKERS: '' };

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Runs a command; returns wall ms, peak RSS (KiB) and CPU ms (user + system, all threads) via GNU
 * time when present, the exit code and stdout.
 */
function run(cmd, args, options = {}) {
  const full = HAS_TIME ? ['/usr/bin/time', ['-f', '%M %U %S', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  let rss = null;
  let cpu = null;
  if (HAS_TIME) {
    const lines = (r.stderr ?? '').trim().split('\n');
    const [m, u, sy] = (lines.pop() ?? '').split(' ').map(Number);
    rss = m;
    cpu = (u + sy) * 1000;
    r.stderr = lines.join('\n');
  }
  return { ms, rss, cpu, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `n` rounds, each running every one of `fns` once, in turn: on a shared machine the load drifts
 * over a run, and taking the commands in turn lets the drift fall on all of them alike instead of
 * on whichever ran its repetitions at the worst moment (ratios between them are what the targets
 * are). A summary per function: median wall and CPU time, largest peak RSS, the last run.
 */
function interleaved(n, fns) {
  const runs = fns.map(() => []);
  for (let i = 0; i < n; i++) fns.forEach((fn, k) => runs[k].push(fn()));
  return runs.map(summary);
}

function summary(runs) {
  return {
    ms: median(runs.map((r) => r.ms)),
    cpu: runs[0].cpu === null ? null : median(runs.map((r) => r.cpu)),
    rss: runs[0].rss === null ? null : Math.max(...runs.map((r) => r.rss)),
    last: runs[runs.length - 1],
  };
}

/**
 * How many cores this run really had: the same CPU-bound loop on one thread, then on two at once.
 * On a shared machine another process may hold a core, and no thread of the audit can use it then.
 */
function parallelCapacity() {
  const probe = (threads) => {
    const code = `const { Worker } = require('node:worker_threads');
      const t0 = Date.now(); let left = ${threads};
      for (let i = 0; i < ${threads}; i++) new Worker('let n = 0; for (let i = 0; i < 1e8; i++) n += i % 7;', { eval: true })
        .on('exit', () => { if (--left === 0) console.log(Date.now() - t0); });`;
    return Number(spawnSync('node', ['-e', code], { encoding: 'utf8' }).stdout.trim());
  };
  const one = median([probe(1), probe(1), probe(1)]);
  const two = median([probe(2), probe(2), probe(2)]);
  return Math.min(2, (2 * one) / two);
}

/**
 * The same question for work shaped like an audit (file reads, parsing, allocation) rather than a
 * loop of additions: one one-thread audit of half the nodes alone, then two at once (one per half).
 * `capacity` is how much more the two do in the same time (2.00 = twice as much); `busy` how many
 * cores the one alone keeps busy (CPU over wall time): V8 compiles and collects garbage on threads of
 * its own, so a "one-thread" audit is more than one core's work, and two of them cannot double it.
 */
async function auditCapacity(nodes, baseline) {
  const halves = [nodes.slice(0, nodes.length >> 1), nodes.slice(nodes.length >> 1)];
  const once = (list) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const args = [BIN, 'audit', '--baseline', baseline, '--format', 'json', ...list];
      const timed = HAS_TIME ? ['/usr/bin/time', ['-f', '%U %S', 'node', ...args]] : ['node', args];
      const child = spawn(timed[0], timed[1], { env: { ...AUDIT_ENV, KDIFF_WORKERS: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const [u, sy] = (err.trim().split('\n').pop() ?? '').split(' ').map(Number);
        resolve({ ms, cpu: HAS_TIME ? (u + sy) * 1000 : null });
      });
    });
  const alone = [];
  const together = [];
  for (let i = 0; i < 3; i++) {
    alone.push(await once(halves[0]));
    together.push(Math.max(...(await Promise.all(halves.map(once))).map((r) => r.ms)));
  }
  const aloneMs = median(alone.map((r) => r.ms));
  return {
    capacity: Math.min(2, (2 * aloneMs) / median(together)),
    busy: alone[0].cpu === null ? null : median(alone.map((r) => r.cpu / r.ms)),
  };
}

/** The drifted workers an audit report names (label = the path given). */
function driftedIn(stdout) {
  const report = JSON.parse(stdout);
  return report.nodes.filter((x) => x.differences.length > 0 || x.error).map((x) => x.label).sort();
}

const fmtMs = (ms) => (ms === null ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (kib) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MB`);

const BUNDLE = OUT !== '-' && process.env.BENCH_BUNDLE !== '0';
if (BUNDLE) {
  process.stderr.write('bundling the CLI (scripts/bundle.mjs) ...\n');
  const b = spawnSync('node', [join(ROOT, 'scripts', 'bundle.mjs')], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`bundle failed: ${b.stderr}`);
}
/** What bin/kdiff.js says about the bundle ("used, code cache accepted", "absent", ...). */
const bundleState = spawnSync('node', [BIN, 'paths'], { encoding: 'utf8', env: { ...process.env, KDIFF_BUNDLE_REPORT: '1' } })
  .stderr.replace(/^kdiff: bundle /, '').trim();
const NO_BUNDLE = { env: { ...process.env, KDIFF_NO_BUNDLE: '1' } };

const capacityBefore = parallelCapacity();
const loadBefore = loadavg()[0];
const fleetRows = [];
/** auditCapacity on the largest fleet of at most 1,000 nodes (of at least 100). */
let auditCores = null;
for (const n of SIZES) {
  const dir = join(WORK, `fleet-${n}`);
  process.stderr.write(`fleet of ${n}: generating (cached between runs) ...\n`);
  const { nodes, drifted } = await generateFleet(dir, { workers: n });
  const baselineNode = nodes[0];
  const baseline = join(WORK, `baseline-${n}.json`);
  const scan = spawnSync('node', [BIN, 'scan', baselineNode, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (scan.status !== 0) throw new Error(`kdiff scan failed: ${scan.stderr}`);
  writeFileSync(baseline, scan.stdout);
  const auditArgs = [BIN, 'audit', '--baseline', baseline, '--format', 'json', ...nodes];

  process.stderr.write(`fleet of ${n}: kdiff audit, on one thread, the diff -rq loop and the raw-read floor, in turn ...\n`);
  const loop = `for n in "$@"; do diff -rq --no-dereference "${baselineNode}" "$n" >/dev/null; done; true`;
  const [audit, single, diffLoop, floor] = interleaved(REPS, [
    () => run('node', auditArgs, { env: AUDIT_ENV }),
    () => run('node', auditArgs, { env: { ...AUDIT_ENV, KDIFF_WORKERS: '0' } }),
    () => run('bash', ['-c', loop, 'loop', ...nodes]),
    () => run('bash', ['-c', `find "${dir}" -type f -print0 | xargs -0 cat >/dev/null`]),
  ]);
  if (audit.last.status !== 0 && audit.last.status !== 1) throw new Error(`kdiff audit failed (${audit.last.status}): ${audit.last.stderr}`);
  const found = driftedIn(audit.last.stdout);
  const correct = JSON.stringify(found) === JSON.stringify([...drifted].sort());
  const singleCorrect = JSON.stringify(driftedIn(single.last.stdout)) === JSON.stringify([...drifted].sort());

  fleetRows.push({ n, audit, single, diffLoop, floor, correct: correct && singleCorrect, drifted: drifted.length, found: found.length });
  if (n >= 100 && (auditCores === null || n <= 1000)) {
    process.stderr.write(`fleet of ${n}: two one-thread audits at once ...\n`);
    auditCores = { n, ...(await auditCapacity(nodes, baseline)) };
  }
}

process.stderr.write('start-up ...\n');
const cp = join(ROOT, 'fixtures', 'seed-kubeadm-master');
const worker0 = join(WORK, `fleet-${SIZES[0]}`, 'w00000');
const startCommands = [
  ['`node -e 0`', () => run('node', ['-e', '0'])],
  ['`kdiff --version`', () => run('node', [BIN, '--version'])],
  ['`kdiff scan <worker>`', () => run('node', [BIN, 'scan', worker0])],
  ['`kdiff <cp> <cp>`', () => run('node', [BIN, cp, cp])],
  ['`kdiff scan <worker>`, no bundle', () => run('node', [BIN, 'scan', worker0], NO_BUNDLE)],
  ['`kdiff <cp> <cp>`, no bundle', () => run('node', [BIN, cp, cp], NO_BUNDLE)],
];
const startTimes = interleaved(START_REPS, startCommands.map(([, fn]) => fn));
const startRows = startCommands.map(([name], k) => [name, startTimes[k]]);
const nodeZero = startRows[0][1].ms;
const capacityAfter = parallelCapacity();
const loadAfter = loadavg()[0];

const lines = [];
lines.push('# Performance', '');
lines.push('Measured by `npm run bench` (scripts/bench.mjs), which generates its own fleet of kubeadm v1.31 workers');
lines.push('(scripts/fleet.mjs: one cluster CA, each worker with its own name, IP and kubelet client and serving');
lines.push('certificates, every tenth worker drifted in one of four ways) and runs, side by side:');
lines.push('');
lines.push('1. `kdiff audit --baseline <snapshot of a healthy worker> <N nodes> --format json` (worker threads, the default),');
lines.push('   and the same with `KDIFF_WORKERS=0` (one thread);');
lines.push('2. what a user would do instead: `for n in nodes; do diff -rq --no-dereference baseline $n; done`;');
lines.push('3. the floor: reading every byte of the same files once (`find -type f | xargs cat`).');
lines.push('');
lines.push(`Median of ${REPS} run(s) each, taken in turn (each round runs every command once, so a drift in the machine's load falls on all alike); CPU is user + system time of all threads (median), peak RSS the largest`);
lines.push("of the runs, both from GNU time. The audit's answer is checked: both runs must name exactly the drifted workers.");
lines.push('');
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node.js ${process.version}.`);
lines.push(
  `Cores really available to this run (two threads' throughput over one's, 2.00 = two idle cores): ${capacityBefore.toFixed(2)} before, ` +
    `${capacityAfter.toFixed(2)} after; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
);
if (auditCores) {
  lines.push(
    `For work shaped like an audit, two one-thread audits of ${auditCores.n / 2} nodes each at once do ` +
      `${auditCores.capacity.toFixed(2)}× the work of one alone` +
      (auditCores.busy === null ? '.' : `, which keeps ${auditCores.busy.toFixed(2)} cores busy (V8 compiles and collects garbage on threads of its own).`),
  );
}
lines.push('');
lines.push('| nodes | kdiff audit | CPU | peak RSS | one thread | `diff -rq` loop | raw-read floor | audit / loop | audit / floor | drifted found |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of fleetRows) {
  lines.push(
    `| ${r.n} | ${fmtMs(r.audit.ms)} | ${fmtMs(r.audit.cpu)} | ${fmtMb(r.audit.rss)} | ${fmtMs(r.single.ms)} (${fmtMb(r.single.rss)}) | ${fmtMs(r.diffLoop.ms)} | ${fmtMs(r.floor.ms)} | ` +
      `${(r.audit.ms / r.diffLoop.ms).toFixed(2)} | ${(r.audit.ms / r.floor.ms).toFixed(2)} | ${r.correct ? `yes (${r.found}/${r.drifted})` : `NO (${r.found} found, ${r.drifted} drifted)`} |`,
  );
}
lines.push('');
lines.push(`Start-up, median of ${START_REPS} runs, the commands in turn; the bundle (scripts/bundle.mjs) was ${bundleState}, "no bundle" rows set KDIFF_NO_BUNDLE=1:`, '');
lines.push('| command | wall | vs `node -e 0` | peak RSS |');
lines.push('|---|---:|---:|---:|');
for (const [name, r] of startRows) lines.push(`| ${name} | ${fmtMs(r.ms)} | ${(r.ms / nodeZero).toFixed(2)}× | ${fmtMb(r.rss)} |`);
lines.push('');
lines.push('Rerun: `npm run bench` (all sizes; fleets are cached in `$BENCH_DIR`, default the system temp directory),');
lines.push('or `BENCH_SIZES=100 BENCH_REPS=1 npm run bench` for a quick look.');
lines.push('');
const text = lines.join('\n') + '\n';
if (OUT === '-') process.stdout.write(text);
else {
  // What follows the marker (the analysis, written by hand) survives a rerun.
  const MARKER = '<!-- measured results end here; the text below is kept by scripts/bench.mjs -->';
  const old = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  const kept = old.includes(MARKER) ? old.slice(old.indexOf(MARKER)) : `${MARKER}\n`;
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${text}${kept}`);
  process.stdout.write(text);
}
if (fleetRows.some((r) => !r.correct)) process.exitCode = 1;
