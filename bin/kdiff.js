#!/usr/bin/env node
// Thin launcher: everything lives in dist/cli so `kdiff --version` loads as little as possible.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`kdiff: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 2; },
);
