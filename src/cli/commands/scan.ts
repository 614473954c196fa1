/** `kdiff scan <node> [--format json|text] [--output FILE]`: print one node's model. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { NodeModel, Snapshot } from '../../model/types.js';
import { scanNode } from '../../scan/node-input.js';
import { now } from '../common.js';
import { renderScanText } from '../../report/scan-text.js';
import { type CliIO, UsageError } from '../io.js';

/** The snapshot contract of design.md: 2-space JSON with a trailing newline. */
export function renderSnapshot(node: NodeModel): string {
  const snapshot: Snapshot = { kdiff: 'snapshot', schemaVersion: 1, node };
  return JSON.stringify(snapshot, null, 2) + '\n';
}

interface ScanFlags {
  format: 'json' | 'text';
  output?: string;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let nodePath = '';
  let flags: ScanFlags = { format: 'text' };
  const program = new Command('kdiff scan')
    .usage('[options] <node>')
    .description('Print the normalized model of one node: components, flags, certificates, kubeconfigs, findings.')
    .argument('<node>', "a node's filesystem root, an /etc/kubernetes directory or a systemd unit directory")
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'))
    .option('--output <file>', 'write the output to a file instead of stdout')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: () => undefined, outputError: () => undefined })
    .action((node: string, opts: ScanFlags) => {
      nodePath = node;
      flags = opts;
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    // --help is printed by commander and is not an error.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    throw err;
  }
  const node = await scanNode(resolve(io.cwd, nodePath), { label: nodePath, now: now(io) });
  const text = flags.format === 'json' ? renderSnapshot(node) : renderScanText(node, { label: nodePath });
  if (flags.output) {
    const target = resolve(io.cwd, flags.output);
    try {
      writeFileSync(target, text);
    } catch (err) {
      throw new UsageError(`cannot write ${flags.output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  } else {
    io.stdout(text);
  }
  return 0;
}
