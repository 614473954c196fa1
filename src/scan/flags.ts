/**
 * Command-line flags as Kubernetes components parse them (spf13/pflag, interspersed mode):
 * https://pkg.go.dev/github.com/spf13/pflag
 */
import type { Finding, Flag } from '../model/types.js';
import type { Word } from './types.js';
import { isSecretKey, maskSecrets } from './configs/redact.js';

function clipWord(t: string): string {
  const m = maskSecrets(t);
  return m.length > 60 ? m.slice(0, 57) + '...' : m;
}

export interface ParsedArgs {
  flags: Flag[];
  args: string[];
  findings: Finding[];
}

export interface ParseFlagsOptions {
  /** True for a flag that takes no value (`--client-cert-auth`), so `--flag word` does not eat `word`. */
  isBoolean?: (flag: string) => boolean;
  /** True for a flag whose repetitions add up (`--tls-sni-cert-key`) instead of the last one winning. */
  isRepeatable?: (flag: string) => boolean;
  /** Remove one pair of outer quotes from a value (`--runtime-config='api/all=true'`). Default true. */
  stripQuotes?: boolean;
}

/** `--name`, `-v`; a lone `-` and a negative number are not flags. */
function looksLikeFlag(text: string): boolean {
  return text.length > 1 && text[0] === '-' && !/^-[0-9.]/.test(text);
}

function unquote(value: string, strip: boolean): string {
  if (!strip || value.length < 2) return value;
  const q = value[0];
  return (q === '"' || q === "'") && value[value.length - 1] === q ? value.slice(1, -1) : value;
}

/** Splits a `file:line` source into a finding's path and line. */
export function sourceLocation(source: string): { path: string | null; line?: number } {
  const m = /^(.*):(\d+)$/.exec(source);
  if (m) return { path: m[1], line: Number(m[2]) };
  return { path: source === '' ? null : source };
}

/**
 * Parses the words after argv[0]. Flags keep their order and every occurrence; a repeated flag's
 * earlier occurrences are marked `overridden`. Positional words go to `args`; after `--` every
 * word is positional. Never throws.
 *
 * One departure from pflag: a word that looks like a flag is never taken as the value of the flag
 * before it (pflag would take it when the flag is not boolean), because an unknown boolean flag
 * followed by another flag is far more common in real units than a value starting with `-`.
 */
export function parseFlags(words: readonly Word[], options: ParseFlagsOptions = {}): ParsedArgs {
  const isBoolean = options.isBoolean ?? ((): boolean => false);
  const strip = options.stripQuotes ?? true;
  const flags: Flag[] = [];
  const args: string[] = [];
  const findings: Finding[] = [];
  let onlyArgs = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const t = w.text;
    if (onlyArgs || !looksLikeFlag(t)) {
      if (!onlyArgs && /^[\u2010-\u2015\u2212]-?[A-Za-z]/.test(t)) {
        // An en or em dash where "--" belongs, pasted from a document: not a flag to the program.
        findings.push({
          severity: 'warning',
          code: 'flag-typographic-dash',
          ...sourceLocation(w.source),
          message: `"${clipWord(t)}" (${w.source}) starts with a typographic dash, not "--": the program takes it as an argument, not a flag (pasted from a document?).`,
        });
      }
      args.push(maskSecrets(t));
      continue;
    }
    if (t === '--') {
      onlyArgs = true;
      continue;
    }
    const m = /^(--?)([^=]*)(?:=([\s\S]*))?$/.exec(t);
    if (!m || m[2] === '' || m[2].startsWith('-')) {
      findings.push({
        severity: 'warning',
        code: 'flag-syntax',
        ...sourceLocation(w.source),
        message: `"${clipWord(t)}" (${w.source}) is not valid flag syntax: the program will refuse it or take it as an argument.`,
      });
      args.push(maskSecrets(t));
      continue;
    }
    const name = m[1] + m[2];
    if (m[3] !== undefined) {
      flags.push({ name, value: unquote(m[3], strip), source: w.source });
      continue;
    }
    const next = words[i + 1];
    if (!isBoolean(name) && next !== undefined && !looksLikeFlag(next.text)) {
      flags.push({ name, value: unquote(next.text, strip), source: w.source });
      i++;
      continue;
    }
    flags.push({ name, value: 'true', source: w.source, bare: true });
  }
  markOverridden(flags, options.isRepeatable, findings);
  return { flags, args, findings };
}

/** Flags whose values are never repeated in a message. */
const SECRET_FLAG = /token|password|passwd|secret|auth-key|key-data/i;

/** `-v` and `--v` are the same flag to pflag and Go's flag package. */
function flagKey(name: string): string {
  return name.replace(/^-+/, '');
}

function markOverridden(flags: Flag[], isRepeatable: ((flag: string) => boolean) | undefined, findings: Finding[]): void {
  const byKey = new Map<string, Flag[]>();
  for (const f of flags) {
    const k = flagKey(f.name);
    const list = byKey.get(k);
    if (list) list.push(f);
    else byKey.set(k, [f]);
  }
  for (const list of byKey.values()) {
    if (list.length < 2 || isRepeatable?.(list[0].name)) continue;
    for (const f of list.slice(0, -1)) f.overridden = true;
    const last = list[list.length - 1];
    if (new Set(list.map((f) => f.value)).size > 1) {
      const secret = SECRET_FLAG.test(last.name) || isSecretKey(last.name);
      findings.push({
        severity: 'warning',
        code: 'flag-repeated',
        ...sourceLocation(last.source),
        message: `${last.name} is given ${list.length} times with different values (${list
          .map((f) => (secret ? f.source : `"${f.value}" at ${f.source}`))
          .join(', ')}): the last one wins.`,
      });
    }
  }
}
