/** `kdiff ignore --from <report.json>`: the kdiff.yaml rules that would accept a report or an audit. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { CliIO } from '../io.js';
import { UsageError } from '../io.js';
import { emit } from '../common.js';
import { rulesFromDifferences } from '../../audit/rules.js';
import type { Difference } from '../../model/types.js';

function differencesOf(doc: unknown, file: string): Difference[] {
  const d = doc as { kdiff?: string; differences?: unknown; nodes?: { differences?: unknown }[] };
  const list: unknown[] =
    d && d.kdiff === 'report' && Array.isArray(d.differences)
      ? d.differences
      : d && d.kdiff === 'audit' && Array.isArray(d.nodes)
        ? d.nodes.flatMap((n) => (Array.isArray(n.differences) ? n.differences : []))
        : (() => {
            throw new UsageError(`${file} is not a kdiff report or audit written with --format json`);
          })();
  for (const x of list) {
    const e = x as Partial<Difference>;
    if (!e || typeof e.key !== 'string' || typeof e.subject !== 'string' || typeof e.category !== 'string' || typeof e.change !== 'string') {
      throw new UsageError(`${file}: a difference lacks key, subject, category or change`);
    }
  }
  return list as Difference[];
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const cmd = new Command('kdiff ignore')
    .description('Print kdiff.yaml ignore rules that accept every difference of a report (each with reason: TODO).')
    .requiredOption('--from <report.json>', 'a report or audit written with --format json')
    .option('--output <file>', 'write the rules to a file instead of stdout')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: () => undefined });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'commander.helpDisplayed') return 0;
    throw new UsageError(e.message.replace(/^error: /, ''));
  }
  const { from, output } = cmd.opts<{ from: string; output?: string }>();
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(io.cwd, from), 'utf8'));
  } catch (err) {
    throw new UsageError(`${from}: ${err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? String(err))}`);
  }
  emit(io, rulesFromDifferences(differencesOf(doc, from)), output);
  return 0;
}
