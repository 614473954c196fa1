/**
 * ExecStart= command lines: prefixes, quoting and specifiers at load time (config_parse_exec() in
 * src/core/load-fragment.c), then variable expansion at start time (replace_env_argv() in
 * src/basic/env-util.c). systemd.service(5) "Command lines":
 * https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Command%20lines
 */
import type { Finding } from '../../model/types.js';
import type { Word } from '../types.js';
import type { EnvVar } from './env-file.js';
import { isValidEnvName } from './env-file.js';
import type { UnitAssignment } from './unit-file.js';
import { extractWords } from './words.js';
import { isShared } from '../../util/memo.js';
import { badSpecifierFinding, expandSpecifiers } from './specifiers.js';

export { resolveSpecifiers } from './specifiers.js';

/** A word as written in a unit, before expansion. */
export interface RawWord {
  text: string;
  path: string;
  line: number;
}

export interface ExecCommand {
  /** The program, after prefixes: `/usr/local/bin/kube-apiserver`. */
  path: string;
  /** Prefix characters as written (`-`, `@`, `+`, `!`, `!!`, `:`, `|`). */
  prefixes: string;
  /** argv[0] (the path, or the word after it with `@`) and the arguments, unexpanded. */
  argv: RawWord[];
  /** `:` turns variable expansion off. */
  expand: boolean;
  source: { path: string; line: number };
}

const PREFIX_CHARS = '-@:+!|';

/** Parses one `ExecStart=` value into commands (`;` separates several; an empty value is a reset, handled by the caller). */
export function parseExecValue(a: UnitAssignment, unitName: string): { commands: ExecCommand[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const commands: ExecCommand[] = [];
  const r = extractWords(a.value, { unquote: true, cunescape: true, relax: false });
  // a standalone "\;" is a literal ";" argument, not an unknown escape
  const literalSemicolon = (start: number): boolean =>
    a.value.startsWith('\\;', start) && (start + 2 >= a.value.length || ' \t\n\r'.includes(a.value[start + 2]));
  const unknownEscape =
    r.unknownEscape &&
    extractWords(a.value.replace(/(^|[ \t\n\r])\\;(?=$|[ \t\n\r])/g, '$1  '), { unquote: true, cunescape: true, relax: false })
      .unknownEscape;
  if (r.unbalanced) {
    findings.push({
      severity: 'error',
      code: 'systemd-unbalanced-quotes',
      path: a.path,
      line: a.line,
      message: `${a.path}:${a.line}: unbalanced quotes in ${a.key}=: systemd refuses this command line.`,
    });
    return { commands, findings };
  }
  if (unknownEscape) {
    findings.push({
      severity: 'warning',
      code: 'systemd-unknown-escape',
      path: a.path,
      line: a.line,
      message: `${a.path}:${a.line}: unknown backslash escape in ${a.key}=: systemd keeps it verbatim.`,
    });
  }
  let current: ExecCommand | null = null;
  let needArgv0 = false;
  const unknown: string[] = [];
  let unknownLine = a.line;
  const specifiers = (text: string, line: number): string => {
    const x = expandSpecifiers(text, unitName);
    for (const u of x.unknown) {
      if (unknown.length === 0) unknownLine = line;
      if (!unknown.includes(u)) unknown.push(u);
    }
    return x.text;
  };
  for (const w of r.words) {
    const line = a.valueLines[w.start] ?? a.line;
    // only an unquoted, unescaped ";" standing alone separates commands
    const after = a.value[w.start + 1];
    if (a.value[w.start] === ';' && (after === undefined || ' \t\n\r'.includes(after))) {
      if (current) commands.push(current);
      current = null;
      continue;
    }
    if (!current) {
      let i = 0;
      while (i < w.text.length && PREFIX_CHARS.includes(w.text[i])) i++;
      const prefixes = w.text.slice(0, i);
      const path = specifiers(w.text.slice(i), line);
      if (path === '') {
        findings.push({
          severity: 'error',
          code: 'systemd-bad-exec',
          path: a.path,
          line,
          message: `${a.path}:${line}: ${a.key}= has an empty program path: systemd ignores this command.`,
        });
        return { commands, findings };
      }
      current = { path, prefixes, argv: [], expand: !prefixes.includes(':'), source: { path: a.path, line } };
      needArgv0 = prefixes.includes('@');
      if (!needArgv0) current.argv.push({ text: path, path: a.path, line });
      continue;
    }
    const text = literalSemicolon(w.start) ? ';' : specifiers(w.text, line);
    current.argv.push({ text, path: a.path, line });
    needArgv0 = false;
  }
  if (unknown.length > 0) {
    findings.push(
      badSpecifierFinding(
        a,
        unknownLine,
        unknown,
        `current systemd refuses this command line ("Failed to resolve unit specifiers") and, unless it starts with "-", the whole unit (bad-setting); old versions passed the text on.`,
      ),
    );
  }
  if (current) {
    if (needArgv0) {
      findings.push({
        severity: 'error',
        code: 'systemd-bad-exec',
        path: a.path,
        line: a.line,
        message: `${a.path}:${a.line}: "@" asks for an argv[0] after the program, but there is none: systemd ignores this command.`,
      });
    } else commands.push(current);
  }
  return { commands, findings };
}

export interface ExpandResult {
  /** The words the program receives after argv[0], each with the `file:line` its text was written on. */
  args: Word[];
  /** Variables referenced but not set, with the first place each is referenced. */
  unset: Array<{ name: string; braces: boolean; path: string; line: number; word: string }>;
}

/**
 * Expands `$VAR` (a whole word: split into 0..n words, quotes removed) and `${VAR}` (inside a word:
 * replaced as is), `$$` to `$`, like replace_env_argv() with the flags systemd uses for ExecStart.
 */
export function expandArgs(cmd: ExecCommand, env: ReadonlyMap<string, EnvVar>): ExpandResult {
  const args: Word[] = [];
  const unset: ExpandResult['unset'] = [];
  const seen = new Set<string>();
  const noteUnset = (name: string, braces: boolean, w: RawWord): void => {
    if (seen.has(name)) return;
    seen.add(name);
    unset.push({ name, braces, path: w.path, line: w.line, word: w.text });
  };
  const argv = cmd.argv;
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i];
    const t = w.text;
    if (!cmd.expand) {
      args.push({ text: t, source: `${w.path}:${w.line}` });
      continue;
    }
    if (t.charCodeAt(0) === 0x24 && t[1] !== '{' && t[1] !== '$') {
      const name = t.slice(1);
      // a name that is not valid, or a variable that is not set, yields no word at all
      const valid = isValidEnvName(name);
      const v = valid ? env.get(name) : undefined;
      if (!v) {
        if (valid) noteUnset(name, false, w);
        continue;
      }
      const words = splitValue(v);
      if (words.length === 0) continue;
      const source = `${v.path}:${v.line}`;
      for (let j = 0; j < words.length; j++) args.push({ text: words[j], source });
      continue;
    }
    const text = t.includes('$') ? replaceBraced(t, env, (name) => noteUnset(name, true, w)) : t;
    args.push({ text, source: `${w.path}:${w.line}` });
  }
  return { args, unset };
}

/** The words of a variable's value as `$VAR` splits it; kept for a variable of a kept parse (a drop-in's Environment= on every node). */
const splitValues = new WeakMap<EnvVar, readonly string[]>();

function splitValue(v: EnvVar): readonly string[] {
  const kept = splitValues.get(v);
  if (kept) return kept;
  const words = extractWords(v.value, { unquote: true, cunescape: false, relax: true }).words.map((w) => w.text);
  if (isShared(v)) splitValues.set(v, Object.freeze(words));
  return words;
}

/** replace_env() without braceless or `:-` forms: `${NAME}` replaced, `$$` is `$`, anything else kept. */
function replaceBraced(s: string, env: ReadonlyMap<string, EnvVar>, onUnset: (name: string) => void): string {
  if (!s.includes('$')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const n = s[i + 1];
    if (n === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (n === '{') {
      const close = s.indexOf('}', i + 2);
      const colon = s.indexOf(':', i + 2);
      // `${FOO:-bar}` is not supported in ExecStart: systemd leaves the text as it is
      if (close < 0 || (colon >= 0 && colon < close)) {
        out += s.slice(i, close < 0 ? s.length : i + 2);
        i = close < 0 ? s.length : i + 2;
        continue;
      }
      const name = s.slice(i + 2, close);
      const v = env.get(name);
      if (v) out += v.value;
      else onUnset(name);
      i = close + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
