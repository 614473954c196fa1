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
import type { DiffCategory, DiffReport, NodeModel } from '../../model/types.js';
import { type CliIO, UsageError } from '../io.js';
import { colourLevel, loadConfig, now } from '../common.js';
import { version } from '../main.js';
import { diffNodes } from '../../diff/index.js';
import { loadNode } from '../../scan/node-input.js';
import type { ReportFormat } from '../../report/index.js';
import type { RenderOptions } from '../../report/common.js';
import { CATEGORIES, DEFAULT_FAIL_ON, filterReport, parseFailOn as parseFailOnList } from '../../audit/rules.js';

export { CATEGORIES, DEFAULT_FAIL_ON };
export { colourLevel };


interface DiffCliOptions {
  format: string;
  unified?: boolean;
  output?: string;
  config?: string;
  failOn?: string;
  color: boolean;
  normalizeIdentity: boolean;
  quiet?: boolean;
}

type CliFormat = ReportFormat | 'junit' | 'sarif';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const program = new Command('kdiff')
    .description('Compare two Kubernetes nodes by what they do.')
    .argument('<left>', 'node directory, archive (.tar, .tar.gz) or snapshot (.json)')
    .argument('<right>', 'node directory, archive (.tar, .tar.gz) or snapshot (.json)')
    .option('--format <format>', 'text | json | markdown | junit | sarif', 'text')
    .option('--unified', "show each differing component's normalized settings as a unified diff")
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--config <file>', 'ignore rules, failOn, expiringDays (default: ./kdiff.yaml when present)')
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
  const config = loadConfig(io, opts.config);
  const failOn = opts.failOn !== undefined ? parseFailOn(opts.failOn) : new Set(config.failOn ?? DEFAULT_FAIL_ON);
  const today = now(io);

  // Both reads finish before either error is raised: no read is left running behind an exit.
  const loaded = await Promise.allSettled(
    [leftArg, rightArg].map((arg) => loadNode(resolve(io.cwd, arg), { label: arg, now: today, expiringDays: config.expiringDays })),
  );
  const failed = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [left, right] = loaded.map((r) => (r as PromiseFulfilledResult<NodeModel>).value);
  const normalizeIdentity = opts.normalizeIdentity !== false;
  const raw = diffNodes(left, right, { labels: { left: leftArg, right: rightArg }, normalizeIdentity, expiringDays: config.expiringDays, now: today });
  const report = filterReport(raw, config.ignore, today);
  const counted = countFailing(report, failOn);
  if (opts.quiet && !opts.output) return counted > 0 ? 1 : 0;

  const level = opts.output ? 0 : colourLevel(opts.color, io);
  let text: string;
  if (format === 'junit' || format === 'sarif') {
    const { reportAsAudit } = await import('../../report/ci-common.js');
    const ci = { failOn: [...failOn], version: version() };
    text =
      format === 'junit'
        ? (await import('../../report/junit.js')).renderJunit(reportAsAudit(report), ci)
        : (await import('../../report/sarif.js')).renderSarif(reportAsAudit(report), ci);
  } else {
    // Only the renderer asked for is loaded (the unified one brings the diff package), and chalk only for colour.
    const colourLevelUsed = format === 'text' || format === 'unified' ? level : 0;
    const options: RenderOptions = {
      chalk: colourLevelUsed > 0 ? new (await import('chalk')).Chalk({ level: colourLevelUsed }) : undefined,
    };
    if (format === 'unified') {
      const { normalizedView } = await import('../../diff/view.js');
      options.views = { left: normalizedView(left, { normalizeIdentity }), right: normalizedView(right, { normalizeIdentity }) };
    }
    const renderers: Record<ReportFormat, () => Promise<{ render: (r: DiffReport, o: RenderOptions) => string }>> = {
      text: () => import('../../report/text.js'),
      json: () => import('../../report/json.js'),
      markdown: () => import('../../report/markdown.js'),
      unified: () => import('../../report/unified.js'),
    };
    text = (await renderers[format]()).render(report, options);
  }
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

function parseFormat(format: string, unified: boolean): CliFormat {
  if (!['text', 'json', 'markdown', 'junit', 'sarif'].includes(format)) throw new UsageError(`unknown --format ${format} (text, json, markdown, junit or sarif)`);
  if (unified) {
    if (format !== 'text') throw new UsageError('--unified is a text output; it does not combine with --format json, markdown, junit or sarif');
    return 'unified';
  }
  return format as CliFormat;
}

/** The categories that count, from `--fail-on` (comma list, `all`, `none`). */
export function parseFailOn(value: string | undefined): Set<DiffCategory> {
  if (value === undefined) return new Set(DEFAULT_FAIL_ON);
  try {
    return new Set(parseFailOnList(value));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function countFailing(report: DiffReport, failOn: ReadonlySet<DiffCategory>): number {
  return report.differences.filter((d) => failOn.has(d.category)).length;
}
