/**
 * kdiff's command line. Only this layer touches the process (argv, stdout, exit codes), and each
 * command's module is loaded only when that command runs, so `kdiff --version` loads almost nothing.
 */
import { readFileSync } from 'node:fs';
import { type CliIO, processIO } from './io.js';
import { printableText } from '../report/printable.js';

type CommandModule = { run: (argv: string[], io: CliIO) => Promise<number> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  scan: () => import('./commands/scan.js'),
  audit: () => import('./commands/audit.js'),
  certs: () => import('./commands/certs.js'),
  etcd: () => import('./commands/etcd.js'),
  paths: () => import('./commands/paths.js'),
  ignore: () => import('./commands/ignore.js'),
};

export const USAGE = `Usage:
  kdiff [options] <left> <right>        compare two nodes        exit 0 same, 1 differ, 2 error
  kdiff scan [options] <node>           print the node model     exit 0, 2 error
  kdiff audit [options] <node>...       many nodes, against --baseline or each other
  kdiff certs [options] <node>          certificate inventory and expiry, any layout
  kdiff etcd status|diff <snapshot>...  etcd backups, read without etcdctl
  kdiff paths                           the node paths kdiff reads (for collecting with tar)
  kdiff ignore --from <report.json>     ignore rules that accept a report

  <node>: a node's filesystem root (holds etc/, var/, usr/ ...), an /etc/kubernetes directory,
          a systemd unit directory, a .tar/.tar.gz of a node's files, or a snapshot written by
          \`kdiff scan --format json\`.

Run \`kdiff <command> --help\` for a command's options. Docs: docs/cli.md
`;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-V') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout)(USAGE);
    return first === undefined ? 2 : 0;
  }
  try {
    const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (load) return await (await load()).run(argv.slice(1), io);
    const diff = await import('./commands/diff.js');
    return await diff.run(argv, io);
  } catch (err) {
    const e = err as Error;
    if (e && (e.name === 'UsageError' || e.name === 'InputError' || e.name === 'CommanderError')) {
      // Commander's own line breaks (a "(Did you mean --format?)" line) are kept; anything else is escaped.
      io.stderr(`kdiff: ${e.message.split('\n').map(printableText).join('\n')}\n`);
      return 2;
    }
    io.stderr(`kdiff: internal error: ${printableText(e && e.message ? e.message : String(err))}\n`);
    return 2;
  }
}
