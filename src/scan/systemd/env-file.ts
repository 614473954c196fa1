/**
 * Environment= values and EnvironmentFile= files, as systemd reads them: config_parse_environ()
 * (src/core/load-fragment.c) and parse_env_file_internal() (src/basic/env-file.c); see
 * systemd.exec(5) "Environment": https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#Environment
 */
import type { Finding } from '../../model/types.js';
import type { UnitAssignment } from './unit-file.js';
import { extractWords } from './words.js';
import { badSpecifierFinding, expandSpecifiers } from './specifiers.js';
import { maskSecrets } from '../configs/redact.js';

/** One variable assignment and where it was written. */
export interface EnvVar {
  name: string;
  value: string;
  path: string;
  line: number;
}

/** env_name_is_valid(): what systemd accepts as a variable name. */
export function isValidEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** The assignments of one `Environment=` line (an empty value is a reset, handled by the caller). */
export function parseEnvironmentValue(a: UnitAssignment, unitName = ''): { vars: EnvVar[]; findings: Finding[] } {
  const vars: EnvVar[] = [];
  const findings: Finding[] = [];
  const r = extractWords(a.value, { unquote: true, cunescape: true, relax: false });
  for (const w of r.words) {
    const line = a.valueLines[w.start] ?? a.line;
    // config_parse_environ() resolves specifiers in each word once its quotes are gone
    const x = unitName === '' ? { text: w.text, unknown: [] } : expandSpecifiers(w.text, unitName);
    if (x.unknown.length > 0) {
      findings.push(badSpecifierFinding(a, line, x.unknown, 'systemd ignores this assignment.'));
    }
    const text = x.text;
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    if (eq < 0 || !isValidEnvName(name)) {
      findings.push({
        severity: 'warning',
        code: 'systemd-invalid-environment',
        path: a.path,
        line,
        message:
          eq < 0
            ? `${a.path}:${line}: a word of Environment= has no "=", so it is no NAME=value assignment: systemd ignores it.`
            : `${a.path}:${line}: "${clip(name)}" is not a valid variable name: Environment= ignores this assignment.`,
      });
      continue;
    }
    vars.push({ name, value: text.slice(eq + 1), path: a.path, line });
  }
  if (r.unknownEscape) {
    findings.push({
      severity: 'warning',
      code: 'systemd-unknown-escape',
      path: a.path,
      line: a.line,
      message: `${a.path}:${a.line}: unknown backslash escape in Environment=: systemd keeps it verbatim.`,
    });
  }
  if (r.unbalanced) {
    findings.push({
      severity: 'error',
      code: 'systemd-unbalanced-quotes',
      path: a.path,
      line: a.line,
      message: `${a.path}:${a.line}: unbalanced quotes in Environment=: systemd ignores the assignment from the unbalanced quote on.`,
    });
  }
  return { vars, findings };
}

type State =
  | 'pre-key'
  | 'key'
  | 'pre-value'
  | 'value'
  | 'value-escape'
  | 'single'
  | 'double'
  | 'double-escape'
  | 'comment'
  | 'comment-escape';

const NEWLINE = '\n\r';
const WHITESPACE = ' \t\n\r';
/** Characters a backslash escapes inside double quotes, as in a shell (SHELL_NEED_ESCAPE). */
const SHELL_NEED_ESCAPE = '"\\`$';
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const EQ = 0x3d;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The end of a run of plain characters at `from` (up to the code unit `stop`, a line end or the
 * text's end), and where the blanks it ends with start once it is appended to a string of
 * `outLength` (`trailing`: that position before the run, -1 for none).
 */
function plainRun(t: string, from: number, stop: number, outLength: number, trailing: number): { end: number; trailing: number } {
  let ws = trailing;
  let j = from;
  for (; j < t.length; j++) {
    const u = t.charCodeAt(j);
    if (u === stop || u === LF || u === CR) break;
    if (u !== SPACE && u !== TAB) ws = -1;
    else if (ws < 0) ws = outLength + (j - from);
  }
  return { end: j, trailing: ws };
}

/**
 * Parses an environment file: `KEY=value` lines, `#`/`;` comments, single and double quotes,
 * backslash escapes and continued lines; later assignments of a key replace earlier ones (the
 * caller decides). Lines systemd would drop (no `=`, invalid names such as `export FOO`) are findings.
 */
export function parseEnvFile(text: string, path: string): { vars: EnvVar[]; findings: Finding[] } {
  const vars: EnvVar[] = [];
  const findings: Finding[] = [];
  let state: State = 'pre-key';
  let key = '';
  let value = '';
  let lastKeyWs = -1;
  let lastValueWs = -1;
  let line = 1;
  let keyLine = 1;

  const push = (): void => {
    if (lastKeyWs >= 0) key = key.slice(0, lastKeyWs);
    if (state === 'value' && lastValueWs >= 0) value = value.slice(0, lastValueWs);
    if (!isValidEnvName(key)) {
      findings.push({
        severity: 'warning',
        code: 'systemd-invalid-environment',
        path,
        line: keyLine,
        message: /^export\s/.test(key)
          ? `${path}:${keyLine}: systemd does not understand "export" in an environment file: "${clip(key)}" is ignored.`
          : `${path}:${keyLine}: "${clip(key)}" is not a valid variable name: systemd ignores this assignment.`,
      });
    } else {
      vars.push({ name: key, value, path, line: keyLine });
    }
    key = '';
    value = '';
    lastKeyWs = -1;
  };

  // CR LF and a lone CR both end a line for systemd; counting lines is simpler on LF alone
  const t = text.replace(/\r\n?/g, '\n');
  const n = t.length;
  // An indexed loop over UTF-16 units (every character the states look at is ASCII, so a surrogate
  // pair goes through as two plain units): for...of allocated an iterator result per character,
  // and runs of plain characters are appended as one slice rather than one string per character.
  for (let i = 0; i < n; i++) {
    const c = t[i];
    switch (state) {
      case 'pre-key':
        if ('#;'.includes(c)) state = 'comment';
        else if (!WHITESPACE.includes(c)) {
          state = 'key';
          key = c;
          keyLine = line;
          lastKeyWs = -1;
        } else if (NEWLINE.includes(c)) line++;
        break;
      case 'key':
        if (NEWLINE.includes(c)) {
          findings.push({
            severity: 'warning',
            code: 'systemd-env-file-syntax',
            path,
            line: keyLine,
            message: `${path}:${keyLine}: this line has no "=": systemd ignores it.`,
          });
          state = 'pre-key';
          key = '';
          line++;
        } else if (c === '=') {
          state = 'pre-value';
          value = '';
          lastValueWs = -1;
        } else {
          const run = plainRun(t, i, EQ, key.length, lastKeyWs);
          lastKeyWs = run.trailing;
          key += t.slice(i, run.end);
          i = run.end - 1;
        }
        break;
      case 'pre-value':
        if (NEWLINE.includes(c)) {
          push();
          state = 'pre-key';
          line++;
        } else if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '\\') state = 'value-escape';
        else if (!WHITESPACE.includes(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (NEWLINE.includes(c)) {
          push();
          state = 'pre-key';
          line++;
        } else if (c === '\\') {
          state = 'value-escape';
          lastValueWs = -1;
        } else {
          const run = plainRun(t, i, BACKSLASH, value.length, lastValueWs);
          lastValueWs = run.trailing;
          value += t.slice(i, run.end);
          i = run.end - 1;
        }
        break;
      case 'value-escape':
        state = 'value';
        // an escaped newline is eaten: the value continues on the next line
        if (!NEWLINE.includes(c)) value += c;
        else line++;
        break;
      case 'single':
        if (c === "'") state = 'pre-value';
        else {
          let j = i;
          for (; j < n; j++) {
            const u = t.charCodeAt(j);
            if (u === QUOTE) break;
            if (u === LF) line++;
          }
          value += t.slice(i, j);
          i = j - 1;
        }
        break;
      case 'double':
        if (c === '"') state = 'pre-value';
        else if (c === '\\') state = 'double-escape';
        else {
          let j = i;
          for (; j < n; j++) {
            const u = t.charCodeAt(j);
            if (u === DQUOTE || u === BACKSLASH) break;
            if (u === LF) line++;
          }
          value += t.slice(i, j);
          i = j - 1;
        }
        break;
      case 'double-escape':
        state = 'double';
        if (SHELL_NEED_ESCAPE.includes(c)) value += c;
        else if (c !== '\n') value += '\\' + c;
        else line++;
        break;
      case 'comment':
        if (c === '\\') state = 'comment-escape';
        else if (NEWLINE.includes(c)) {
          state = 'pre-key';
          line++;
        }
        break;
      case 'comment-escape':
        if (NEWLINE.includes(c)) {
          state = 'pre-key';
          line++;
        } else state = 'comment';
        break;
    }
  }
  if (
    state === 'pre-value' ||
    state === 'value' ||
    state === 'value-escape' ||
    state === 'single' ||
    state === 'double' ||
    state === 'double-escape'
  ) {
    if (state === 'single' || state === 'double' || state === 'double-escape') {
      findings.push({
        severity: 'warning',
        code: 'systemd-env-file-syntax',
        path,
        line: keyLine,
        message: `${path}:${keyLine}: the quote opened for ${clip(key)} is never closed: systemd takes the rest of the file as its value.`,
      });
    }
    push();
  } else if (state === 'key') {
    findings.push({
      severity: 'warning',
      code: 'systemd-env-file-syntax',
      path,
      line: keyLine,
      message: `${path}:${keyLine}: this line has no "=": systemd ignores it.`,
    });
  }
  return { vars, findings };
}

/** A piece of the file quoted in a message: short, secrets masked. */
function clip(s: string): string {
  const m = maskSecrets(s);
  return m.length > 60 ? m.slice(0, 57) + '...' : m;
}
