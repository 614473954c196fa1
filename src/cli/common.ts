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

/** Colour only on a terminal, unless --no-color or NO_COLOR; FORCE_COLOR forces it (level 1-3) or off (0). */
export function colourLevel(color: boolean | undefined, io: CliIO): 0 | 1 | 2 | 3 {
  if (color === false) return 0;
  // As in Node's own tty.getColorDepth: FORCE_COLOR wins over NO_COLOR, --no-color over both.
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as 2 | 3;
    return 1;
  }
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return 0;
  if (!io.stdoutIsTTY) return 0;
  if (/truecolor|24bit/i.test(io.env.COLORTERM ?? '')) return 3;
  if (/256/.test(io.env.TERM ?? '')) return 2;
  return 1;
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
