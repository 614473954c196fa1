#!/usr/bin/env node
'use strict';
// Thin launcher: everything lives in dist/cli so `kdiff --version` loads as little as possible.
// When scripts/bundle.mjs has packed dist/ into one script (dist/kdiff.bundle.cjs, with a V8 code
// cache beside it) and none of the files it was built from changed since, that script is run
// instead of importing some 60 modules one by one: the same code, started in about half the time.
// A CommonJS script (bin/package.json says so): an ES-module entry point would load Node's ES
// module loader first (~3 ms), which the bundle does not need.
const { readFileSync, renameSync, statSync, writeFileSync, writeSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const first = process.argv[2];
const dist = join(__dirname, '..', 'dist');
const distUrl = pathToFileURL(dist + '/').href;

// An audit calls each function of its scanners a bounded number of times (once per file or node),
// so V8's optimizing compiler, at its default eagerness, spends more time compiling them (on the
// other core, which the audit's second thread needs) than the compiled code saves: a 1,000-node
// audit took ~25% less wall and CPU time with optimization 15 times later (docs/performance.md).
// Set by the audit itself (tuneForAudit) once this thread has loaded its code and just before it
// reads nodes, not here: V8 accepts a code cache only under the flags it was made with, Node.js's
// own as well as the bundle's, so a worker thread that booted under these flags compiled Node.js's
// bootstrap from source (~17 ms more), and so did node:crypto on this thread. A worker that loads
// the bundle after the audit set them takes the cache trained under them (kdiff.bundle.tuned.cache).
const V8_FLAGS = '--interrupt-budget=1000000';

/** Why the bundle was not used (KDIFF_BUNDLE_REPORT=1 prints it to stderr). */
let skipped = '';

function loadBundle() {
  if (process.env.KDIFF_NO_BUNDLE) {
    skipped = 'not wanted';
    return null;
  }
  const file = join(dist, 'kdiff.bundle.cjs');
  // Before anything is read: the worker boots on the other core meanwhile. Started from a bundle
  // that turns out stale, it is never adopted (src/audit/audit.ts compares the bundle it loaded).
  prestartAuditWorker(file);
  let source;
  try {
    // scripts/bundle.mjs writes it in ASCII (and says so on its first line): latin1 is the same text, read faster.
    source = readFileSync(file, 'latin1');
  } catch {
    skipped = 'absent';
    return null;
  }
  if (!source.startsWith('// kdiff bundle: ASCII\n')) {
    skipped = 'stale (not ASCII)';
    return null;
  }
  const mark = source.lastIndexOf('\n//# kdiff-bundle-manifest ');
  if (mark < 0) {
    skipped = 'unreadable';
    return null;
  }
  const manifest = JSON.parse(source.slice(mark + 27));
  for (const [key, size, mtimeMs] of manifest) {
    const st = statSync(join(dist, key), { throwIfNoEntry: false });
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) {
      skipped = `stale (${key} changed)`;
      return null;
    }
  }
  const cacheFile = join(dist, 'kdiff.bundle.cache');
  let cachedData;
  if (!process.env.KDIFF_BUNDLE_TRAIN) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const vm = require('node:vm');
  const script = new vm.Script(source, { filename: file, cachedData });
  const factory = script.runInThisContext();
  const bundle = factory(require('node:module').createRequire(join(dist, 'index.js')), (spec) => import(spec), distUrl);
  // Worker threads of an audit (src/audit/audit.ts) start from the same bundle and code cache.
  globalThis[Symbol.for('kdiff.bundle')] = bundleInfo(file, cachedData && script.cachedDataRejected === false);
  return { script, bundle };
}

/** For an audit: set to 1 (shared with its workers) once it has set V8_FLAGS. */
const tuned = first === 'audit' ? new Int32Array(new SharedArrayBuffer(4)) : undefined;

/**
 * Where worker threads find the bundle and its code caches: `cache` (made under V8's defaults, as
 * this thread loaded it; absent when it was not usable here) and `tunedCache` (made under
 * V8_FLAGS), chosen by `tuned` when a worker loads (src/audit/bundle-boot.cts).
 */
function bundleInfo(file, cacheUsable) {
  return {
    file,
    cache: cacheUsable ? join(dist, 'kdiff.bundle.cache') : undefined,
    tunedCache: cacheUsable ? join(dist, 'kdiff.bundle.tuned.cache') : undefined,
    tuned,
    distUrl,
  };
}

/** Sets V8_FLAGS, once: an audit calls it before it reads nodes (src/audit/audit.ts). */
function tuneForAudit() {
  if (Atomics.load(tuned, 0) === 1) return;
  Atomics.store(tuned, 0, 1);
  require('node:v8').setFlagsFromString(V8_FLAGS);
}

/** Options of `kdiff audit` that take a value (src/cli/commands/audit.ts): their value is not a node. */
const AUDIT_VALUE_OPTIONS = new Set(['--baseline', '--format', '--output', '--config', '--fail-on']);
/** As src/audit/audit.ts: PARALLEL_MIN_NODES, and the heap of every audit worker. */
const AUDIT_PARALLEL_MIN_NODES = 50;
const AUDIT_WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/**
 * An audit of many nodes reads them on worker threads too (src/audit/audit.ts), and a worker takes
 * ~45 ms to start: started here, it boots on the other core while this thread loads the bundle and
 * the baseline, instead of after them. The audit adopts it (and tells it what to compare with); an
 * audit that turns out to want no worker ends it. Unreferenced until adopted, so it never keeps
 * the process alive. A guess from the command line alone: a wrong one costs a worker's start, never a result.
 */
function prestartAuditWorker(file) {
  const argv = process.argv.slice(2);
  if (argv[0] !== 'audit' || process.env.KDIFF_BUNDLE_TRAIN) return;
  const wanted = process.env.KDIFF_WORKERS;
  if (wanted !== undefined && wanted !== '' && !(Number(wanted) >= 1)) return;
  let nodes = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      nodes += argv.length - i - 1;
      break;
    }
    if (a.startsWith('-')) {
      if (AUDIT_VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    nodes++;
  }
  if (nodes < AUDIT_PARALLEL_MIN_NODES || require('node:os').availableParallelism() < 2) return;
  const { Worker } = require('node:worker_threads');
  const bundle = bundleInfo(file, true);
  const worker = new Worker(join(dist, 'audit', 'bundle-boot.cjs'), { workerData: { bundle }, resourceLimits: AUDIT_WORKER_LIMITS });
  const early = { worker, bundle, limits: AUDIT_WORKER_LIMITS, exited: false };
  worker.unref();
  worker.on('error', () => {});
  worker.once('exit', () => {
    early.exited = true;
  });
  globalThis[Symbol.for('kdiff.prestarted-worker')] = early;
}

async function loadMain() {
  let loaded = null;
  try {
    loaded = loadBundle();
  } catch (err) {
    skipped = `failed (${err && err.message ? err.message : String(err)})`;
    loaded = null;
  }
  if (process.env.KDIFF_BUNDLE_REPORT) {
    const how = loaded ? `used, code cache ${loaded.script.cachedDataRejected === false ? 'accepted' : 'not used'}` : skipped;
    process.stderr.write(`kdiff: bundle ${how}\n`);
  }
  if (loaded) {
    const mod = await loaded.bundle.importFrom('./cli/main.js', `${distUrl}index.js`);
    return { main: mod.main, script: loaded.script };
  }
  const mod = await import(`${distUrl}cli/main.js`);
  return { main: mod.main, script: null };
}

async function train(main, script) {
  // scripts/bundle.mjs: run a few commands quietly, then keep what V8 compiled for them.
  const io = { stdout() {}, stderr() {}, stdoutIsTTY: false, stderrIsTTY: false, env: { ...process.env }, cwd: process.cwd() };
  for (const argv of JSON.parse(process.env.KDIFF_BUNDLE_TRAIN)) await main(argv, io);
  if (!script) throw new Error('the bundle was not loaded');
  const out = process.env.KDIFF_BUNDLE_CACHE_OUT;
  writeFileSync(`${out}.tmp`, script.createCachedData());
  renameSync(`${out}.tmp`, out);
  return 0;
}

/**
 * `--version` without the bundle or the CLI (dist/cli/main.js answers the same, slower). Written as
 * src/cli/io.ts writes: a reader that went away (`kdiff --version | true`) is EPIPE, dropped
 * quietly. False when package.json cannot be read: the CLI then answers, or says what is wrong.
 */
function printVersion() {
  let text;
  try {
    text = `${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n`;
  } catch {
    return false;
  }
  if (process.env.KDIFF_BUNDLE_REPORT) process.stderr.write('kdiff: bundle not wanted\n');
  try {
    writeSync(1, text);
  } catch (err) {
    if (err.code === 'EAGAIN') {
      process.stdout.on('error', () => {});
      process.stdout.write(text);
    } else if (err.code !== 'EPIPE') throw err;
  }
  return true;
}

if ((first === '--version' || first === '-V') && printVersion()) {
  // Done.
} else {
  // scripts/bundle.mjs trains a second code cache under V8_FLAGS (see there).
  if (process.env.KDIFF_BUNDLE_TRAIN && process.env.KDIFF_BUNDLE_TRAIN_TUNED) require('node:v8').setFlagsFromString(V8_FLAGS);
  else if (tuned && !process.env.KDIFF_BUNDLE_TRAIN) globalThis[Symbol.for('kdiff.tune-for-audit')] = tuneForAudit;
  loadMain()
    .then(({ main, script }) => (process.env.KDIFF_BUNDLE_TRAIN ? train(main, script) : main(process.argv.slice(2))))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        process.stderr.write(`kdiff: ${err && err.message ? err.message : String(err)}\n`);
        process.exitCode = 2;
      },
    );
}
