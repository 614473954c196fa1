/** `kdiff audit [options] <node>...`: many nodes against --baseline, or against their own majority. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { CliIO } from '../io.js';
import { UsageError } from '../io.js';
import { colourLevel, emit, loadConfig, now } from '../common.js';
import { runAudit } from '../../audit/audit.js';
import { applyIgnoreRules, DEFAULT_FAIL_ON, parseFailOn } from '../../audit/rules.js';
import { loadNode } from '../../scan/node-input.js';
import { createDiffMemo, diffNodes } from '../../diff/index.js';
import type { AuditReport, DiffCategory } from '../../model/types.js';
import { version } from '../main.js';
import { printableText } from '../../report/printable.js';

interface AuditOptions {
  baseline?: string;
  format: string;
  output?: string;
  config?: string;
  failOn?: string;
  color?: boolean;
  quiet?: boolean;
  normalizeIdentity: boolean;
}

function progress(io: CliIO, total: number): ((done: number) => void) | undefined {
  if (!io.stderrIsTTY || total < 20) return undefined;
  let last = -1;
  return (done) => {
    const pct = Math.floor((done / total) * 100);
    if (pct === last && done !== total) return;
    last = pct;
    const width = 30;
    const fill = Math.round((done / total) * width);
    io.stderr(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} nodes${done === total ? '\n' : ''}`);
  };
}

/** KDIFF_WORKERS=N: that many worker threads (0: none); unset: see AuditEngineOptions.workers. */
function workersFromEnv(io: CliIO): number | undefined {
  const v = io.env.KDIFF_WORKERS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`KDIFF_WORKERS=${v} is not a number of threads`);
  return n;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const cmd = new Command('kdiff audit')
    .description('Compare many nodes with a baseline (a snapshot or a node), or with the fleet majority.')
    .argument('<node...>', 'node directories, archives or snapshots')
    .option('--baseline <node>', 'the approved node or snapshot; without it, the majority of the nodes given')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown', 'junit', 'sarif']).default('text'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--config <file>', 'ignore rules, failOn, expiringDays (default: ./kdiff.yaml when present)')
    .option('--fail-on <categories>', 'comma list of categories that make the exit code 1, or all / none')
    .option('--no-color', 'no colours, even on a terminal')
    .option('--no-normalize-identity', "compare node names and addresses too (by default each node's own are ignored)")
    .option('-q, --quiet', 'no output, only the exit code')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: () => undefined })
    .showHelpAfterError(false);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    throw new UsageError(e.message.replace(/^error: /, ''));
  }
  const opts = cmd.opts<AuditOptions>();
  const labels = cmd.args;
  const config = loadConfig(io, opts.config);
  const failOn: readonly DiffCategory[] = opts.failOn !== undefined ? parseFailOn(opts.failOn) : (config.failOn ?? DEFAULT_FAIL_ON);
  const today = now(io);
  const baseline = opts.baseline ? { label: opts.baseline, model: await loadNode(resolve(io.cwd, opts.baseline), { label: opts.baseline, now: today, expiringDays: config.expiringDays }) } : undefined;

  const memo = createDiffMemo();
  const report: AuditReport = await runAudit(
    labels.map((label) => {
      const path = resolve(io.cwd, label);
      return {
        label,
        load: () => loadNode(path, { label, now: today, expiringDays: config.expiringDays }),
        source: { path, label, now: today, ...(config.expiringDays !== undefined ? { expiringDays: config.expiringDays } : {}) },
      };
    }),
    {
      baseline,
      diff: (l, r, names, sides) => diffNodes(l, r, { labels: names, sides, normalizeIdentity: opts.normalizeIdentity, now: today, expiringDays: config.expiringDays, memo }),
      workerDiff: { normalizeIdentity: opts.normalizeIdentity, now: today, ...(config.expiringDays !== undefined ? { expiringDays: config.expiringDays } : {}) },
      workers: workersFromEnv(io),
      filter: (ds) => applyIgnoreRules({ differences: ds }, config.ignore, today).report.differences,
      onProgress: progress(io, labels.length),
    },
  );
  const readable = report.nodes.filter((n) => !n.error).length;
  if (readable === 0) {
    for (const n of report.nodes) io.stderr(`kdiff: ${printableText(n.label)}: ${printableText(n.error ?? '')}\n`);
    return 2;
  }
  if (!opts.quiet) {
    let text: string;
    switch (opts.format) {
      case 'json':
        text = JSON.stringify(report, null, 2) + '\n';
        break;
      case 'junit':
        text = (await import('../../report/junit.js')).renderJunit(report, { failOn, version: version() });
        break;
      case 'sarif':
        text = (await import('../../report/sarif.js')).renderSarif(report, { failOn, version: version() });
        break;
      case 'markdown':
        text = (await import('../../report/audit-text.js')).renderAuditMarkdown(report);
        break;
      default: {
        const { renderAuditText, NO_PAINT } = await import('../../report/audit-text.js');
        const level = colourLevel(opts.color, io);
        const paint = level === 0 ? NO_PAINT : new (await import('chalk')).Chalk({ level });
        text = renderAuditText(report, paint);
      }
    }
    emit(io, text, opts.output);
  }
  const counted = report.nodes.some((n) => n.differences.some((d) => failOn.includes(d.category)));
  return counted || readable < report.nodes.length ? 1 : 0;
}
