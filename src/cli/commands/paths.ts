/** `kdiff paths`: the node paths kdiff reads, and a tar one-liner that collects them. */
import type { CliIO } from '../io.js';
import { UsageError } from '../io.js';
import { KEY_EXCLUDES, NODE_PATHS, collectCommand, tarArgs } from '../../source/node-paths.js';

const HELP = `Usage: kdiff paths [--format text|json|tar-args] [--no-keys] [--host NAME]

Prints the node paths kdiff reads and an ssh + tar one-liner that collects them into NAME.tgz.
The archive holds private keys and credentials unless --no-keys is given; keep it as you would
the node's own /etc/kubernetes. See docs/collecting.md.

  --format text       the paths, what kdiff reads there, and the one-liner (default)
  --format json       the same as data
  --format tar-args   only the tar arguments, one per line: tar czf node.tgz $(kdiff paths --format tar-args)
  --no-keys           exclude files that hold private keys (${KEY_EXCLUDES.join(', ')})
  --host NAME         the ssh host in the one-liner (default NODE)
`;

interface PathsOptions {
  format: 'text' | 'json' | 'tar-args';
  noKeys: boolean;
  host: string;
}

function parse(argv: string[]): PathsOptions | 'help' {
  const o: PathsOptions = { format: 'text', noKeys: false, host: 'NODE' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--no-keys') o.noKeys = true;
    else if (flag === '--format') {
      const f = value();
      if (f !== 'text' && f !== 'json' && f !== 'tar-args') throw new UsageError(`--format must be text, json or tar-args, not ${JSON.stringify(f)}`);
      o.format = f;
    } else if (flag === '--host') {
      const h = value();
      if (!/^[A-Za-z0-9@._:[\]-]+$/.test(h)) throw new UsageError('--host must be a plain ssh host name');
      o.host = h;
    } else throw new UsageError(`unknown option for paths: ${JSON.stringify(a)}`);
  }
  return o;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const o = parse(argv);
  if (o === 'help') {
    io.stdout(HELP);
    return 0;
  }
  const command = collectCommand(o.host, { noKeys: o.noKeys });
  if (o.format === 'tar-args') {
    io.stdout(tarArgs({ noKeys: o.noKeys }).join('\n') + '\n');
    return 0;
  }
  if (o.format === 'json') {
    const doc = {
      kdiff: 'paths',
      schemaVersion: 1,
      paths: NODE_PATHS,
      excludes: o.noKeys ? KEY_EXCLUDES : [],
      tarArgs: tarArgs({ noKeys: o.noKeys }),
      command,
    };
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...NODE_PATHS.map((p) => p.path.length + (p.kind === 'dir' ? 1 : 0)));
  const lines = ['# Node paths kdiff reads (a missing one is normal). [secrets]: holds keys or credentials.'];
  for (const p of NODE_PATHS) {
    const name = p.kind === 'dir' ? `${p.path}/` : p.path;
    lines.push(`${name.padEnd(width)}  ${p.reason}${p.secrets ? '  [secrets]' : ''}`);
  }
  lines.push('');
  if (o.noKeys) {
    lines.push(`# Collect a node without private key files (${KEY_EXCLUDES.join(', ')} excluded).`);
    lines.push('# Kubeconfigs may still embed client-key-data and tokens: the archive still holds credentials.');
  } else {
    lines.push('# Collect a node. The archive holds private keys and credentials (kdiff checks that keys');
    lines.push('# match their certificates; it never prints them): keep it as you would /etc/kubernetes.');
    lines.push('# Add --no-keys to leave the key files out.');
  }
  lines.push(command);
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
