/** `kdiff scan`: placeholder until its issue lands. */
import type { CliIO } from '../io.js';

export async function run(argv: string[], io: CliIO): Promise<number> {
  void argv;
  io.stderr('kdiff: the scan command is not built yet\n');
  return 2;
}
