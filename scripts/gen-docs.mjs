#!/usr/bin/env node
/**
 * Splices the real output of kdiff into README.md and docs/*.md, so every example is what kdiff
 * prints at this commit. Build first (`npx tsc -p tsconfig.json`).
 *
 *   node scripts/gen-docs.mjs            rewrite the stale blocks
 *   node scripts/gen-docs.mjs --check    change nothing; exit 1 naming each stale block
 *
 * Two kinds of block (`head=N` keeps the first N lines of output; `exit=N` says the command is
 * expected to exit N — without it, 0 or 1; `lang` is the fence's language, `console` by default;
 * `jq=.a.b[0]` or `jq=.a[]|select(.k=="v")` shows that part of a JSON output, as `| jq` would):
 *
 *   <!-- kdiff:run [head=N] [lang=L] [exit=N] kdiff scan fixtures/seed-kubeadm-worker -->
 *   ...replaced by a fenced block: `$ <command>`, its stdout and stderr, and `$ echo $?` when not 0...
 *   <!-- /kdiff:run -->
 *
 *   <!-- kdiff:example [cjs] -->
 *   ```js
 *   ...code you write, kept as it is; `import ... from 'kdiff'` resolves to this repository...
 *   ```
 *   ...replaced by "Output:" and what the code printed...
 *   <!-- /kdiff:example -->
 *
 * Commands run through bash -o pipefail (pipes and redirections work; `kdiff` is this repository's
 * bin/kdiff.js) in a scratch directory holding links to fixtures/, docs/ and the package, one scratch
 * directory per document, blocks in document order (so a block may read a file an earlier one
 * wrote). The environment is pinned for reproducible output: KDIFF_NOW=2026-06-01, no colour,
 * not a terminal, C locale, UTC.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BLOCK = /<!-- kdiff:(run|example)\b([^\n]*?)-->\n([\s\S]*?)<!-- \/kdiff:\1 -->/g;
const TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 200_000;

export const ENV = {
  // The system's own directories only: tools a developer has in front of them (pyenv shims, ...) can
  // write to stderr on their own schedule and make an example differ from run to run.
  PATH: [dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':'),
  HOME: process.env.HOME ?? '/tmp',
  KDIFF_NOW: '2026-06-01',
  NO_COLOR: '1',
  TERM: 'dumb',
  LC_ALL: 'C',
  TZ: 'UTC',
};

/** Documents with blocks: README.md and docs/*.md (not docs/schema). */
export function documents() {
  const docs = join(root, 'docs');
  const files = [join(root, 'README.md')];
  if (existsSync(docs)) for (const f of readdirSync(docs).sort()) if (f.endsWith('.md')) files.push(join(docs, f));
  return files.filter((f) => existsSync(f));
}

/**
 * Lines a pyenv on the developer's machine was seen writing into the stderr of unrelated commands
 * under load, even with its shims off PATH ("rm: cannot remove '.../.pyenv/shims/tmp.*'", "pyenv:
 * cannot rehash"): never kdiff's, so never an example's.
 */
const PYENV_NOISE = /^(rm: cannot remove '[^']*\/\.pyenv\/shims\/|pyenv: cannot rehash: )/;

function run(command, args, cwd, input) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}\n` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      stderr = stderr.split(/(?<=\n)/).filter((line) => !PYENV_NOISE.test(line)).join('');
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: signal ? `${stderr}(killed by ${signal} after ${TIMEOUT_MS / 1000} s)\n` : stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A scratch directory where `fixtures/...` and `import 'kdiff'` work as in the repository. */
function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'kdiff-docs-'));
  symlinkSync(join(root, 'fixtures'), join(dir, 'fixtures'), 'dir');
  symlinkSync(join(root, 'docs'), join(dir, 'docs'), 'dir');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'kdiff'), 'dir');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'kdiff'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin/kdiff.js')}" "$@"\n`, { mode: 0o755 });
  return dir;
}

function options(text) {
  const opts = {};
  let rest = text.trim();
  for (;;) {
    const m = /^(head|lang|exit|jq)=(\S+)\s+/.exec(rest) ?? /^(cjs)\b\s*/.exec(rest);
    if (!m) break;
    opts[m[1]] = m[2] ?? true;
    rest = rest.slice(m[0].length);
  }
  return { opts, rest };
}

/** A jq path of fields and indexes: `.node.components[1].flags`. */
export function jqPath(value, path) {
  if (!/^(\.[A-Za-z_][\w-]*|\[\d+\])+$/.test(path)) throw new Error('only .field and [index] steps are supported');
  let v = value;
  for (const [, field, index] of path.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)) {
    v = v == null ? null : field !== undefined ? v[field] : v[Number(index)];
  }
  return v ?? null;
}

/** The jq filters the docs use: a path, or `PATH[]|select(.field=="value")` (each match, as jq prints them). */
export function jq(value, filter) {
  const m = /^(.*)\[\]\|select\(\.([A-Za-z_][\w-]*)=="([^"]*)"\)$/.exec(filter);
  if (!m) return [jqPath(value, filter)];
  const list = m[1] === '' || m[1] === '.' ? value : jqPath(value, m[1]);
  if (!Array.isArray(list)) throw new Error(`${m[1]} is not a list`);
  return list.filter((x) => x && typeof x === 'object' && x[m[2]] === m[3]);
}

function clip(text, head) {
  const limited = text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}\n` : text;
  if (!head) return limited;
  const lines = limited.replace(/\n$/, '').split('\n');
  const n = Number(head);
  if (lines.length <= n) return limited;
  return `${lines.slice(0, n).join('\n')}\n... (${lines.length - n} more lines)\n`;
}

function fence(text, lang) {
  const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
  // A fence longer than any backtick run inside, so output holding ``` cannot close it early.
  const ticks = '`'.repeat(Math.max(3, ...[...body.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}${lang}\n${body}${ticks}\n`;
}

async function runBlock(kind, header, body, cwd, problems, where) {
  const { opts, rest } = options(header);
  if (kind === 'run') {
    // pipefail, so trouble inside a pipeline is still caught; the status shown is the shell's usual one.
    const r = await run('bash', ['-o', 'pipefail', '-c', `PATH="${join(cwd, 'bin')}:$PATH"; ${rest}`], cwd);
    // Exit 2 (trouble) only where the block says it is expected: `exit=2`.
    const allowed = opts.exit !== undefined ? [Number(opts.exit)] : [0, 1];
    if (!allowed.includes(r.code)) problems.push(`${where}: \`${rest}\` exited ${r.code}: ${r.stderr.trim()}`);
    if (r.stderr.includes('internal error')) problems.push(`${where}: \`${rest}\`: ${r.stderr.trim()}`);
    if (opts.jq) {
      // `jq=PATH` shows part of a JSON output as `| jq 'PATH'` would (done here, so jq need not be installed).
      try {
        r.stdout = jq(JSON.parse(r.stdout), opts.jq).map((v) => `${JSON.stringify(v, null, 2)}\n`).join('');
      } catch (err) {
        problems.push(`${where}: jq=${opts.jq}: ${err.message}`);
      }
    }
    const command = opts.jq ? `${rest} | jq '${opts.jq}'` : rest;
    const status = r.code !== 0 && !/\|/.test(command) ? `$ echo $?\n${r.code}\n` : '';
    if (!opts.lang || opts.lang === 'console') return fence(`$ ${command}\n${clip(r.stdout, opts.head)}${r.stderr}${status}`, 'console');
    // Output in its own language's fence, so it highlights as JSON, YAML, XML ...; the command before it.
    const after = r.stderr || status ? `\n${fence(`${r.stderr}${status}`, 'console')}` : '';
    return `${fence(`$ ${command}`, 'console')}\n${fence(clip(r.stdout, opts.head), opts.lang)}${after}`;
  }
  const code = /^(`{3,})(\w*)\n([\s\S]*?)\n\1\n/m.exec(body);
  if (!code) {
    problems.push(`${where}: a kdiff:example needs a fenced code block`);
    return null;
  }
  const file = join(cwd, opts.cjs ? 'example.cjs' : 'example.mjs');
  writeFileSync(file, `${code[3]}\n`);
  const r = await run(process.execPath, [file], cwd);
  if (r.code !== 0) problems.push(`${where}: the example exited ${r.code}:\n${r.stderr.trim()}`);
  return `${code[0]}\nOutput:\n\n${fence(clip(r.stdout + r.stderr, opts.head), 'text')}`;
}

/** Where a stale block first differs from what kdiff prints now, for the --check message. */
function firstDifference(was, now) {
  const a = was.split('\n');
  const b = now.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `\n    line ${i + 1}: doc ${JSON.stringify((a[i] ?? '(end)').slice(0, 160))}\n    now ${JSON.stringify((b[i] ?? '(end)').slice(0, 160))}`;
  }
  return '';
}

/** Regenerates one document; returns its new text and what went wrong. */
async function generate(file) {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(BLOCK)];
  const problems = [];
  const stale = [];
  if (blocks.length === 0) return { text, problems, stale };
  const cwd = scratch();
  try {
    let out = '';
    let last = 0;
    for (const b of blocks) {
      const line = text.slice(0, b.index).split('\n').length;
      const where = `${relative(root, file)}:${line}`;
      let generated = await runBlock(b[1], b[2], b[3], cwd, problems, where);
      // A block that differs is run again (twice at most) before it counts as stale: on a loaded
      // machine, tools outside kdiff have been seen writing to a command's stderr now and then
      // (pyenv's rehash). kdiff's own output is deterministic, so a real change differs every time.
      for (let retry = 0; retry < 2 && generated !== null && generated !== b[3]; retry++) {
        generated = await runBlock(b[1], b[2], b[3], cwd, [], where);
      }
      const body = generated ?? b[3];
      if (body !== b[3]) stale.push(`${where} (${b[1]} ${b[2].trim()})${firstDifference(b[3], body)}`);
      out += text.slice(last, b.index) + `<!-- kdiff:${b[1]}${b[2]}-->\n${body}<!-- /kdiff:${b[1]} -->`;
      last = b.index + b[0].length;
    }
    return { text: out + text.slice(last), problems, stale };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

export async function main(argv) {
  const check = argv.includes('--check');
  if (!existsSync(join(root, 'dist/cli/main.js'))) {
    process.stderr.write('gen-docs: build first (npx tsc -p tsconfig.json)\n');
    return 2;
  }
  const results = await Promise.all(documents().map(async (file) => ({ file, ...(await generate(file)) })));
  let problems = 0;
  let stale = 0;
  for (const r of results) {
    for (const p of r.problems) process.stderr.write(`gen-docs: ${p}\n`);
    problems += r.problems.length;
    if (r.stale.length === 0) continue;
    stale += r.stale.length;
    if (check) for (const s of r.stale) process.stderr.write(`gen-docs: stale: ${s}\n`);
    else writeFileSync(r.file, r.text);
  }
  const blocks = results.reduce((n, r) => n + [...readFileSync(r.file, 'utf8').matchAll(BLOCK)].length, 0);
  process.stdout.write(`gen-docs: ${results.length} documents, ${blocks} blocks, ${stale} ${check ? 'stale' : 'updated'}, ${problems} problems\n`);
  if (problems > 0) return 1;
  return check && stale > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
