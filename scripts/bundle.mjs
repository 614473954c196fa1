#!/usr/bin/env node
/**
 * Optional build step after `tsc`: packs every module of dist/ into one script,
 * dist/kdiff.bundle.cjs, and records V8 code caches for it from runs of the CLI on the fixtures:
 * dist/kdiff.bundle.cache under V8's default flags (what bin/kdiff.js runs under) and
 * dist/kdiff.bundle.tuned.cache under the flags an audit sets before it reads nodes (bin/kdiff.js
 * V8_FLAGS; its worker threads that start after that take this one). So `bin/kdiff.js` starts
 * without resolving, reading and compiling some 60 ES modules one by one. bin/kdiff.js uses the bundle only while every file it was built
 * from is unchanged (size and mtime), and the cache only when V8 accepts it (same Node.js, same
 * flags); otherwise it loads dist/cli/main.js as before. No bundler package is needed: each module
 * is turned into a CommonJS function by the TypeScript compiler's transpileModule.
 *
 * Usage: node scripts/bundle.mjs            (after `npx tsc -p tsconfig.json`)
 */
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'kdiff.bundle.cjs');
const cache = join(dist, 'kdiff.bundle.cache');
const tunedCache = join(dist, 'kdiff.bundle.tuned.cache');
rmSync(out, { force: true });
rmSync(cache, { force: true });
rmSync(tunedCache, { force: true });

function walk(dir) {
  const files = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...walk(p));
    else if (e.name.endsWith('.js')) files.push(p);
  }
  return files;
}

const distRequire = createRequire(join(dist, 'index.js'));
/** Bare specifiers that cannot be required (ES-module-only packages): loaded with import() first. */
const esmOnly = new Set();
function classify(spec) {
  if (spec.startsWith('node:') || esmOnly.has(spec)) return;
  // What `require` would load; an ES module there cannot be required on every Node.js 20.
  const file = distRequire.resolve(spec);
  if (file.endsWith('.mjs')) esmOnly.add(spec);
  else if (file.endsWith('.cjs')) return;
  else if (nearestType(dirname(file)) === 'module') esmOnly.add(spec);
}
function nearestType(dir) {
  for (;;) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type ?? 'commonjs';
    } catch {
      const up = dirname(dir);
      if (up === dir) return 'commonjs';
      dir = up;
    }
  }
}

const modules = [];
/** CommonJS packages imported statically: bundled too, so their code is in the code cache. */
const packages = new Set();
/** key -> relative module keys and ES-module-only packages it imports statically */
const graph = {};
for (const file of walk(dist).sort()) {
  const key = relative(dist, file).split('\\').join('/');
  let source = readFileSync(file, 'utf8');
  const deps = new Set();
  const ext = new Set();
  for (const m of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)';/gms)) {
    const spec = m[1];
    if (spec.startsWith('.')) deps.add(posix.join(posix.dirname(key), spec));
    else {
      classify(spec);
      if (esmOnly.has(spec)) ext.add(spec);
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  }
  // import.meta does not exist in a script; each module gets its own file's URL instead.
  source = source.replace(/\bimport\.meta\.url\b/g, '__meta_url');
  // Dynamic imports keep their asynchronous meaning: relative ones load the bundled module (after
  // the ES-module-only packages it needs), bare ones go to Node's own import().
  source = source.replace(/\bimport\((['"])([^'"]+)\1\)/g, (_, q, spec) => `__import(${q}${spec}${q}, __meta_url)`);
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, removeComments: true },
    fileName: file,
  }).outputText;
  if (/\bimport\.meta\b/.test(js)) throw new Error(`${key}: import.meta left after transform`);
  graph[key] = { deps: [...deps].sort(), ext: [...ext].sort() };
  const st = statSync(file);
  modules.push({ key, js, size: st.size, mtimeMs: st.mtimeMs });
}

// CommonJS files of the packages, with what each `require('...')` of theirs resolves to.
const cjs = [];
const cjsKeys = new Map();
/** spec -> key of the bundled entry file */
const pkgEntries = {};
function addCjs(file) {
  const key = relative(dist, file).split('\\').join('/');
  if (cjsKeys.has(file)) return key;
  cjsKeys.set(file, key);
  let source = readFileSync(file, 'utf8');
  if (source.startsWith('#!')) source = `//${source}`;
  const req = createRequire(file);
  const map = {};
  const entry = { key, source, map };
  cjs.push(entry);
  for (const m of source.matchAll(/\brequire\((['"])([^'"]+)\1\)/g)) {
    const spec = m[2];
    if (spec.startsWith('.')) map[spec] = addCjs(req.resolve(spec));
  }
  const st = statSync(file);
  entry.size = st.size;
  entry.mtimeMs = st.mtimeMs;
  return key;
}
for (const spec of [...packages].sort()) pkgEntries[spec] = addCjs(distRequire.resolve(spec));

const manifest = [...modules, ...cjs].map((m) => [m.key, m.size, m.mtimeMs]);
const parts = [];
// Not strict here: package files keep their own mode (each module of dist/ starts with "use strict").
parts.push('(function (__nodeRequire, __dynamicImport, __distUrl) {\n');
parts.push(`const GRAPH = ${JSON.stringify(graph)};\n`);
parts.push(`const PACKAGES = ${JSON.stringify(pkgEntries)};\n`);
parts.push('const DEFS = Object.create(null);\n');
parts.push('const CJS = Object.create(null);\n');
for (const m of modules) {
  parts.push(`DEFS[${JSON.stringify(m.key)}] = function (exports, require, module, __meta_url, __import) {\n${m.js}\n};\n`);
}
for (const m of cjs) {
  parts.push(`CJS[${JSON.stringify(m.key)}] = { map: ${JSON.stringify(m.map)}, fn: function (exports, require, module, __filename, __dirname) {${m.source}\n} };\n`);
}
parts.push(`
const loaded = Object.create(null);
const esm = Object.create(null);
// commander requires child_process for executable subcommands, which kdiff has none of: it is
// loaded when first touched, not at start.
let childProcess;
const LAZY = {
  'node:child_process': () => new Proxy({}, { get: (_, p) => (childProcess ??= __nodeRequire('node:child_process'))[p] }),
};
function resolveKey(spec, fromUrl) {
  const from = fromUrl.slice(__distUrl.length);
  return new URL(spec, 'file:///' + from).pathname.slice(1);
}
function external(spec) {
  if (Object.hasOwn(esm, spec)) return esm[spec];
  if (Object.hasOwn(PACKAGES, spec)) return loadCjs(PACKAGES[spec]);
  if (Object.hasOwn(LAZY, spec)) return LAZY[spec]();
  return __nodeRequire(spec);
}
function requireFrom(fromUrl) {
  return function require(spec) {
    if (spec.startsWith('.')) return load(resolveKey(spec, fromUrl));
    return external(spec);
  };
}
function load(key) {
  const done = loaded[key];
  if (done) return done.exports;
  const def = DEFS[key];
  if (!def) throw new Error('kdiff bundle: no module ' + key);
  const module = { exports: {} };
  loaded[key] = module;
  const url = __distUrl + key;
  def.call(undefined, module.exports, requireFrom(url), module, url, importFrom);
  return module.exports;
}
function loadCjs(key) {
  const done = loaded[key];
  if (done) return done.exports;
  const def = CJS[key];
  const module = { exports: {} };
  loaded[key] = module;
  const filename = decodeURIComponent(new URL(key, __distUrl).pathname);
  const nodeRequire = __nodeRequire;
  const require = (spec) => (Object.hasOwn(def.map, spec) ? loadCjs(def.map[spec]) : external(spec));
  require.resolve = (spec) => __nodeRequire.resolve(spec.startsWith('.') ? new URL(spec, new URL(key, __distUrl)).pathname : spec);
  def.fn.call(module.exports, module.exports, require, module, filename, filename.slice(0, filename.lastIndexOf('/')));
  return module.exports;
}
function externalsOf(key, seen, out) {
  if (seen.has(key)) return;
  seen.add(key);
  const g = GRAPH[key];
  if (!g) return;
  for (const e of g.ext) if (!Object.hasOwn(esm, e)) out.add(e);
  for (const d of g.deps) if (!loaded[d]) externalsOf(d, seen, out);
}
async function importFrom(spec, fromUrl) {
  // A built-in through require: import() would first start Node's ES module loader (~2 ms).
  if (spec.startsWith('node:')) {
    const m = __nodeRequire(spec);
    return { ...m, default: m };
  }
  if (!spec.startsWith('.')) return __dynamicImport(spec);
  const key = resolveKey(spec, fromUrl);
  const need = new Set();
  externalsOf(key, new Set(), need);
  for (const e of need) esm[e] = Object.freeze({ __esModule: true, ...(await __dynamicImport(e)) });
  return load(key);
}
return { importFrom };
})`);

// ASCII only: every other character as a \u escape, which means the same in strings, templates,
// regular expressions, identifiers and comments (only String.raw would see the difference, and none
// holds such a character). bin/kdiff.js then reads it as latin1, ~1 ms less than decoding UTF-8, and
// V8 keeps it as a one-byte string; the first line says so (the launcher checks it).
const ASCII_MARK = '// kdiff bundle: ASCII\n';
const joined = parts.join('');
for (const raw of joined.match(/String\.raw`[^`]*`/g) ?? []) {
  if (/[^\x00-\x7f]/.test(raw)) throw new Error(`bundle: a String.raw template holds a non-ASCII character: ${raw.slice(0, 80)}`);
}
const ascii = `${ASCII_MARK}${joined}\n//# kdiff-bundle-manifest ${JSON.stringify(manifest)}\n`.replace(
  /[^\x00-\x7f]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);
// Written whole and renamed, so a kdiff starting meanwhile never reads half a bundle.
writeFileSync(`${out}.tmp`, ascii);
renameSync(`${out}.tmp`, out);
const size = statSync(out).size;

// The code cache is taken after a real comparison ran, so it holds the functions that comparison
// compiled, not only the top level.
const train = [
  ['fixtures/seed-kubeadm-master', 'fixtures/seed-kubeadm-master'],
  ['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller'],
  ['scan', 'fixtures/seed-kubeadm-master'],
];
for (const [file, tunedFlags] of [[cache, ''], [tunedCache, '1']]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/kdiff.js')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KDIFF_BUNDLE_TRAIN: JSON.stringify(train), KDIFF_BUNDLE_TRAIN_TUNED: tunedFlags, KDIFF_BUNDLE_CACHE_OUT: file, NO_COLOR: '1' },
  });
  if (r.status !== 0) {
    process.stderr.write(`bundle: training run failed (${r.status}): ${r.stderr}\n`);
    process.exit(1);
  }
}
let cached = 0;
try { cached = statSync(cache).size; } catch { /* reported below */ }
process.stdout.write(`dist/kdiff.bundle.cjs: ${modules.length} modules, ${(size / 1024).toFixed(0)} KiB; code cache ${(cached / 1024).toFixed(0)} KiB; ${cjs.length} package files (${[...packages].sort().join(', ')}); ES-module-only packages: ${[...esmOnly].sort().join(', ') || 'none'}\n`);
