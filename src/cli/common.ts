/** Pieces every command shares: kdiff.yaml, colour, where output goes. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import { UsageError } from './io.js';
import { parseConfig, ConfigError, type KdiffConfig } from '../audit/rules.js';

/** `--config FILE`, else `kdiff.yaml` in the working directory when present, else nothing. */
export function loadConfig(io: CliIO, file: string | undefined): KdiffConfig {
  const path = file ?? (existsSync(resolve(io.cwd, 'kdiff.yaml')) ? 'kdiff.yaml' : undefined);
  if (!path) return { ignore: [] };
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return parseConfig(text, path);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Colour only on a terminal, never with NO_COLOR or --no-color, always with FORCE_COLOR (not 0). */
export function colorLevel(io: CliIO, colorOption: boolean | undefined): 0 | 1 | 2 | 3 {
  if (colorOption === false) return 0;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return 0;
  return io.stdoutIsTTY ? 1 : 0;
}

/** Writes the result to --output FILE, or stdout. */
export function emit(io: CliIO, text: string, output: string | undefined): void {
  if (output && output !== '-') writeFileSync(resolve(io.cwd, output), text);
  else io.stdout(text);
}

/** Today for expiry and `until` checks; KDIFF_NOW (ISO date) pins it for reproducible runs and tests. */
export function now(io: CliIO): Date {
  const pinned = io.env.KDIFF_NOW;
  if (pinned) {
    const d = new Date(pinned);
    if (Number.isNaN(d.getTime())) throw new UsageError(`KDIFF_NOW=${pinned} is not a date`);
    return d;
  }
  return new Date();
}
