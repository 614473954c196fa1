/** `kdiff certs <node>`: certificate and kubeconfig inventory with expiry, for any layout. */
import { resolve } from 'node:path';
import { Chalk } from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Finding } from '../../model/types.js';
import { renderCertsJson, renderCertsText, type CertsInventory } from '../../report/certs-text.js';
import { loadNode } from '../../scan/node-input.js';
import { PKI_FINDING_CODES } from '../../scan/pki/index.js';
import type { CliIO } from '../io.js';
import { now } from '../common.js';
import { compareText } from '../../util/compare.js';

/** Problems met reading files (the FileTree's own codes) matter to a certificate inventory too. */
const TREE_CODES = ['symlink-escapes-root', 'symlink-loop', 'unreadable', 'file-too-large', 'special-file'];

interface CertsOptions {
  format: 'text' | 'json';
  failOn: 'error' | 'warning' | 'none';
  expiringDays: number;
  now?: Date;
  color: boolean;
}

function parseDays(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number of days.');
  return Number(v);
}

function parseNow(v: string): Date {
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected an ISO-8601 date, e.g. 2030-01-01T00:00:00Z.');
  return d;
}

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.path}\u0000${f.code}\u0000${f.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** Reads a node (directory, archive or snapshot) into the inventory. */
export async function certsInventory(nodePath: string, options: { now?: Date; expiringDays?: number; label?: string } = {}): Promise<CertsInventory> {
  const now = options.now ?? new Date();
  const scanOptions = { now, expiringDays: options.expiringDays ?? 30 };
  const model = await loadNode(nodePath, { ...scanOptions, label: options.label });
  const { certificates, kubeconfigs, findings } = model;
  const wanted = new Set([...PKI_FINDING_CODES, ...TREE_CODES]);
  const kept = dedupe(findings.filter((f) => wanted.has(f.code))).sort(
    (a, b) => compareText(a.path ?? '', b.path ?? '') || compareText(a.code, b.code) || compareText(a.message, b.message),
  );
  return { now: now.toISOString(), expiringDays: scanOptions.expiringDays, certificates, kubeconfigs, findings: kept };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const program = new Command('kdiff certs')
    .description('Certificate and kubeconfig inventory with expiry, for any node layout (kubeadm, the hard way, ...).')
    .argument('<node>', "a node's filesystem root, or an /etc/kubernetes directory")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--expiring-days <n>', 'a certificate expiring within N days is a warning', parseDays, 30)
    .option('--now <date>', 'judge expiry at this instant instead of the current time (ISO-8601)', parseNow)
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe (error: expired, key mismatch ...; warning: also expiring ...)')
        .choices(['error', 'warning', 'none'])
        .default('none'),
    )
    .option('--no-color', 'never colour the output')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const opts = program.opts<CertsOptions>();
  const inv = await certsInventory(resolve(io.cwd, program.args[0]), { now: opts.now ?? now(io), expiringDays: opts.expiringDays, label: program.args[0] });
  if (opts.format === 'json') {
    io.stdout(renderCertsJson(inv));
  } else {
    const colour = opts.color && io.stdoutIsTTY && !io.env.NO_COLOR;
    io.stdout(renderCertsText(inv, { chalk: colour ? new Chalk({ level: 1 }) : undefined }));
  }
  return failing(inv.findings, opts.failOn) ? 1 : 0;
}

/** Whether a finding reaches the --fail-on severity (for cron jobs and CI: exit 1, like a failed check). */
export function failing(findings: readonly Finding[], failOn: CertsOptions['failOn']): boolean {
  if (failOn === 'none') return false;
  const levels: readonly Finding['severity'][] = failOn === 'error' ? ['error'] : ['error', 'warning'];
  return findings.some((f) => levels.includes(f.severity));
}
