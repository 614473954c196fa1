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
const SPACE = 0x20;
const TAB = 0x09;

// Runs of characters a state passes over as they are, each up to the next character that means
// something there: sticky expressions, so the scan is native and never looks past the run.
const KEY_RUN = /[^=\n]*/y;
const VALUE_RUN = /[^\\\n]*/y;
const SINGLE_RUN = /[^'\n]*/y;
const DOUBLE_RUN = /[^"\\\n]*/y;

/** Where the run `re` matches at `from` ends (it may be empty: `from` itself). */
function runEnd(re: RegExp, t: string, from: number): number {
  re.lastIndex = from;
  re.test(t);
  return re.lastIndex;
}

/**
 * Where the blanks a run `t[from, end)` ends with start once it is appended to a string of
 * `outLength` (`trailing`: that position before the run, -1 for none).
 */
function trailingBlanks(t: string, from: number, end: number, outLength: number, trailing: number): number {
  if (end === from) return trailing;
  let k = end;
  while (k > from) {
    const u = t.charCodeAt(k - 1);
    if (u !== SPACE && u !== TAB) break;
    k--;
  }
  if (k === end) return -1;
  if (k > from) return outLength + (k - from);
  return trailing >= 0 ? trailing : outLength;
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
          const end = runEnd(KEY_RUN, t, i);
          lastKeyWs = trailingBlanks(t, i, end, key.length, lastKeyWs);
          key += t.slice(i, end);
          i = end - 1;
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
          const end = runEnd(VALUE_RUN, t, i);
          lastValueWs = trailingBlanks(t, i, end, value.length, lastValueWs);
          value += t.slice(i, end);
          i = end - 1;
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
        else if (c === '\n') {
          value += c;
          line++;
        } else {
          const end = runEnd(SINGLE_RUN, t, i);
          value += t.slice(i, end);
          i = end - 1;
        }
        break;
      case 'double':
        if (c === '"') state = 'pre-value';
        else if (c === '\\') state = 'double-escape';
        else if (c === '\n') {
          value += c;
          line++;
        } else {
          const end = runEnd(DOUBLE_RUN, t, i);
          value += t.slice(i, end);
          i = end - 1;
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
