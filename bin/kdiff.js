#!/usr/bin/env node
// Thin launcher: everything lives in dist/cli so `kdiff --version` loads as little as possible.
// When scripts/bundle.mjs has packed dist/ into one script (dist/kdiff.bundle.cjs, with a V8 code
// cache beside it) and none of the files it was built from changed since, that script is run
// instead of importing some 60 modules one by one: the same code, started in about half the time.
// Built-ins through process.getBuiltinModule where it exists (Node.js 20.16+): importing node:fs
// as an ES module would also load its streams, which nothing here uses.
const builtin = process.getBuiltinModule ?? ((id) => import(id));
const { readFileSync, renameSync, statSync, writeFileSync } = await builtin('node:fs');
const { createRequire } = await builtin('node:module');
const { fileURLToPath } = await builtin('node:url');

// A run of kdiff calls each function of its scanners a bounded number of times (once per file or
// node), so V8's optimizing compiler, at its default eagerness, spends more time compiling them (on
// the other core, which an audit's second worker needs) than the compiled code saves: a 1,000-node
// audit took ~25% less wall and CPU time with optimization 15 times later (docs/performance.md).
// Set before any code of kdiff is compiled: the bundle's code cache (scripts/bundle.mjs trains it
// under this launcher) is only accepted under the flags it was made with.
const V8_FLAGS = '--interrupt-budget=1000000';
const first = process.argv[2];
if (first !== '--version' && first !== '-V') (await builtin('node:v8')).setFlagsFromString(V8_FLAGS);

const distUrl = new URL('../dist/', import.meta.url);

/** Why the bundle was not used (KDIFF_BUNDLE_REPORT=1 prints it to stderr). */
let skipped = '';

async function loadBundle() {
  // --version needs two small modules: reading the bundle would cost more than it saves.
  if (process.env.KDIFF_NO_BUNDLE || first === '--version' || first === '-V') {
    skipped = 'not wanted';
    return null;
  }
  const file = new URL('kdiff.bundle.cjs', distUrl);
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    skipped = 'absent';
    return null;
  }
  const mark = source.lastIndexOf('\n//# kdiff-bundle-manifest ');
  if (mark < 0) {
    skipped = 'unreadable';
    return null;
  }
  const manifest = JSON.parse(source.slice(mark + 27));
  for (const [key, size, mtimeMs] of manifest) {
    const st = statSync(new URL(key, distUrl), { throwIfNoEntry: false });
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) {
      skipped = `stale (${key} changed)`;
      return null;
    }
  }
  const training = Boolean(process.env.KDIFF_BUNDLE_TRAIN);
  let cachedData;
  if (!training) {
    try {
      cachedData = readFileSync(new URL('kdiff.bundle.cache', distUrl));
    } catch {
      cachedData = undefined;
    }
  }
  const vm = await builtin('node:vm');
  const script = new vm.Script(source, { filename: fileURLToPath(file), cachedData });
  const factory = script.runInThisContext();
  const bundle = factory(createRequire(new URL('index.js', distUrl)), (spec) => import(spec), distUrl.href);
  // Worker threads of an audit (src/audit/audit.ts) start from the same bundle and code cache.
  globalThis[Symbol.for('kdiff.bundle')] = {
    file: fileURLToPath(file),
    cache: cachedData && script.cachedDataRejected === false ? fileURLToPath(new URL('kdiff.bundle.cache', distUrl)) : undefined,
    distUrl: distUrl.href,
  };
  return { script, bundle };
}

async function loadMain() {
  let loaded = null;
  try {
    loaded = await loadBundle();
  } catch (err) {
    skipped = `failed (${err && err.message ? err.message : String(err)})`;
    loaded = null;
  }
  if (process.env.KDIFF_BUNDLE_REPORT) {
    const how = loaded ? `used, code cache ${loaded.script.cachedDataRejected === false ? 'accepted' : 'not used'}` : skipped;
    process.stderr.write(`kdiff: bundle ${how}\n`);
  }
  if (loaded) {
    const mod = await loaded.bundle.importFrom('./cli/main.js', new URL('index.js', distUrl).href);
    return { main: mod.main, script: loaded.script };
  }
  const mod = await import('../dist/cli/main.js');
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

loadMain()
  .then(({ main, script }) => (process.env.KDIFF_BUNDLE_TRAIN ? train(main, script) : main(process.argv.slice(2))))
  .then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`kdiff: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 2; },
  );
