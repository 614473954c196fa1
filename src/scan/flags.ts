/** Command-line flag parsing (pflag semantics). Owned by helper A; placeholder. */
import type { Finding, Flag } from '../model/types.js';
import type { Word } from './types.js';

export interface ParsedArgs {
  flags: Flag[];
  args: string[];
  findings: Finding[];
}

export function parseFlags(words: readonly Word[], options: { isBoolean?: (flag: string) => boolean } = {}): ParsedArgs {
  void options;
  const flags: Flag[] = [];
  const args: string[] = [];
  for (const w of words) {
    const m = /^(--?[^=]+)(?:=(.*))?$/.exec(w.text);
    if (m) flags.push({ name: m[1], value: m[2] ?? 'true', source: w.source, ...(m[2] === undefined ? { bare: true } : {}) });
    else args.push(w.text);
  }
  return { flags, args, findings: [] };
}
