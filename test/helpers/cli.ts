/** Runs kdiff's CLI in-process (the same `main` the bin calls), and lists the fixture node trees. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Today pinned, so certificate status never depends on the day the tests run. */
export const PINNED_NOW = '2030-01-01T00:00:00Z';

export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { NO_COLOR: '1', KDIFF_NOW: PINNED_NOW, ...env },
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Every node tree under a fixtures directory: a directory holding etc/, var/, usr/ or lib/. */
export function nodeRoots(dir = join(process.cwd(), 'fixtures')): string[] {
  const roots: string[] = [];
  const visit = (d: string): void => {
    const names = readdirSync(d).sort();
    if (names.some((n) => ['etc', 'var', 'usr', 'lib'].includes(n) && statSync(join(d, n)).isDirectory())) {
      roots.push(d);
      return;
    }
    for (const n of names) if (statSync(join(d, n)).isDirectory()) visit(join(d, n));
  };
  visit(dir);
  return roots;
}
