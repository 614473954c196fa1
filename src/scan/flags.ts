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
  if (text.length < 2 || text.charCodeAt(0) !== 0x2d) return false;
  const c = text.charCodeAt(1);
  return !((c >= 0x30 && c <= 0x39) || c === 0x2e);
}

/** A first character that may start a typographic dash's pseudo-flag (U+2010..U+2015, U+2212). */
function mayBeTypographicDash(text: string): boolean {
  const c = text.charCodeAt(0);
  return (c >= 0x2010 && c <= 0x2015) || c === 0x2212;
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
      if (!onlyArgs && mayBeTypographicDash(t) && /^[\u2010-\u2015\u2212]-?[A-Za-z]/.test(t)) {
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
    // `-name` or `--name`, then `=value` or nothing (what /^(--?)([^=]*)(?:=([\s\S]*))?$/ takes apart)
    const dashes = t.charCodeAt(1) === 0x2d ? 2 : 1;
    const eq = t.indexOf('=');
    const end = eq < 0 ? t.length : eq;
    if (end === dashes || t.charCodeAt(dashes) === 0x2d) {
      findings.push({
        severity: 'warning',
        code: 'flag-syntax',
        ...sourceLocation(w.source),
        message: `"${clipWord(t)}" (${w.source}) is not valid flag syntax: the program will refuse it or take it as an argument.`,
      });
      args.push(maskSecrets(t));
      continue;
    }
    const name = eq < 0 ? t : t.slice(0, eq);
    if (eq >= 0) {
      flags.push({ name, value: unquote(t.slice(eq + 1), strip), source: w.source });
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
  let i = 0;
  while (name.charCodeAt(i) === 0x2d) i++;
  return i === 0 ? name : name.slice(i);
}

function markOverridden(flags: Flag[], isRepeatable: ((flag: string) => boolean) | undefined, findings: Finding[]): void {
  if (flags.length < 2) return;
  // Most command lines give each flag once: then there is nothing to mark.
  // (Names are `-x` or `--x`: two differ in key only as `-x` and `--x`.)
  const names = new Set<string>();
  for (let i = 0; i < flags.length; i++) names.add(flags[i].name);
  if (names.size === flags.length) {
    let clash = false;
    for (let i = 0; i < flags.length && !clash; i++) {
      const name = flags[i].name;
      if (name.charCodeAt(1) !== 0x2d && names.has(`-${name}`)) clash = true;
    }
    if (!clash) return;
  }
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
