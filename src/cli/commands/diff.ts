/**
 * `kdiff [options] <left> <right>`: compare two nodes. Exit codes follow diff(1): 0 when nothing
 * that counts differs, 1 when something does, 2 on trouble.
 *
 * What counts (`--fail-on`) defaults to every category except `layout`: where a thing lives is not
 * what it does, so two nodes that differ only in paths (certificates moved, a drop-in in
 * /usr/lib instead of /etc) exit 0 while still listing the paths; anything that changes what a
 * node does (security, config, certificate, version, run-mode, presence) exits 1, so kubeadm
 * against the hard way exits 1. `--fail-on all` counts layout too; `--fail-on none` always exits 0.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { Chalk } from 'chalk';
import type { DiffCategory, DiffReport } from '../../model/types.js';
import { type CliIO, UsageError } from '../io.js';
import { diffNodes } from '../../diff/index.js';
import { loadNodeModel } from '../../diff/load.js';
import { normalizedView } from '../../diff/view.js';
import { formatReport, type ReportFormat } from '../../report/index.js';

export const CATEGORIES: readonly DiffCategory[] = ['security', 'config', 'layout', 'version', 'run-mode', 'presence', 'certificate'];
export const DEFAULT_FAIL_ON: readonly DiffCategory[] = CATEGORIES.filter((c) => c !== 'layout');

interface DiffCliOptions {
  format: string;
  unified?: boolean;
  output?: string;
  failOn?: string;
  color: boolean;
  normalizeIdentity: boolean;
  quiet?: boolean;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const program = new Command('kdiff')
    .description('Compare two Kubernetes nodes by what they do.')
    .argument('<left>', 'node directory or snapshot (.json)')
    .argument('<right>', 'node directory or snapshot (.json)')
    .option('--format <format>', 'text | json | markdown', 'text')
    .option('--unified', "show each differing component's normalized settings as a unified diff")
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <categories>', `comma list of categories that make the exit status 1, or all / none (default: ${DEFAULT_FAIL_ON.join(',')})`)
    .option('--no-color', 'no colours (also NO_COLOR; FORCE_COLOR forces them)')
    .option('--no-normalize-identity', "compare node names and addresses as they are, not as <node-name> / <node-ip>")
    .option('--quiet', 'print nothing; only the exit status tells')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (str, write) => write(`kdiff: ${str.replace(/^error: /, '')}`) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const opts = program.opts<DiffCliOptions>();
  const [leftArg, rightArg] = program.args;
  const format = parseFormat(opts.format, opts.unified === true);
  const failOn = parseFailOn(opts.failOn);

  const [left, right] = await Promise.all([loadNodeModel(resolve(io.cwd, leftArg), { name: leftArg }), loadNodeModel(resolve(io.cwd, rightArg), { name: rightArg })]);
  const normalizeIdentity = opts.normalizeIdentity !== false;
  const report = diffNodes(left, right, { labels: { left: leftArg, right: rightArg }, normalizeIdentity });
  const counted = countFailing(report, failOn);
  if (opts.quiet && !opts.output) return counted > 0 ? 1 : 0;

  const level = opts.output ? 0 : colourLevel(opts.color, io);
  const text = formatReport(report, format, {
    chalk: new Chalk({ level: format === 'text' || format === 'unified' ? level : 0 }),
    views: format === 'unified' ? { left: normalizedView(left, { normalizeIdentity }), right: normalizedView(right, { normalizeIdentity }) } : undefined,
  });
  if (opts.output) {
    try {
      writeFileSync(resolve(io.cwd, opts.output), text);
    } catch (err) {
      throw new UsageError(`cannot write ${opts.output}: ${(err as Error).message}`);
    }
  } else {
    io.stdout(text);
  }
  return counted > 0 ? 1 : 0;
}

function parseFormat(format: string, unified: boolean): ReportFormat {
  if (!['text', 'json', 'markdown'].includes(format)) throw new UsageError(`unknown --format ${format} (text, json or markdown)`);
  if (unified) {
    if (format !== 'text') throw new UsageError('--unified is a text output; it does not combine with --format json or markdown');
    return 'unified';
  }
  return format as ReportFormat;
}

/** The categories that count, from `--fail-on` (comma list, `all`, `none`). */
export function parseFailOn(value: string | undefined): Set<DiffCategory> {
  if (value === undefined) return new Set(DEFAULT_FAIL_ON);
  const words = value.split(',').map((w) => w.trim()).filter(Boolean);
  if (words.length === 1 && words[0] === 'none') return new Set();
  const out = new Set<DiffCategory>();
  for (const w of words) {
    if (w === 'all') for (const c of CATEGORIES) out.add(c);
    else if ((CATEGORIES as readonly string[]).includes(w)) out.add(w as DiffCategory);
    else throw new UsageError(`unknown --fail-on category ${w} (${CATEGORIES.join(', ')}, all or none)`);
  }
  if (out.size === 0) throw new UsageError('--fail-on needs at least one category (or none)');
  return out;
}

export function countFailing(report: DiffReport, failOn: ReadonlySet<DiffCategory>): number {
  return report.differences.filter((d) => failOn.has(d.category)).length;
}

/** Colour only on a terminal, unless --no-color or NO_COLOR; FORCE_COLOR forces it (level 1-3) or off (0). */
export function colourLevel(color: boolean, io: CliIO): 0 | 1 | 2 | 3 {
  if (!color) return 0;
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
