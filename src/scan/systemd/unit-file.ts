/**
 * systemd unit file parser. Unit files are not ini files (continuations, repeated sections,
 * repeated keys that accumulate): this follows config_parse() in src/shared/conf-parser.c and
 * systemd.syntax(7): https://www.freedesktop.org/software/systemd/man/latest/systemd.syntax.html
 */
import type { Finding } from '../../model/types.js';
import { maskSecrets } from '../configs/redact.js';

/** One `Key=Value` as systemd hands it to the setting's parser, with where it was written. */
export interface UnitAssignment {
  section: string;
  key: string;
  /** Value with surrounding whitespace stripped; continuation backslashes already replaced. */
  value: string;
  path: string;
  /** Physical line of the key. */
  line: number;
  /** Physical line of each character of `value` (a continued value spans several lines). */
  valueLines: number[];
}

export interface ParsedUnitFile {
  path: string;
  assignments: UnitAssignment[];
  findings: Finding[];
}

const COMMENTS = '#;';
const SMART_QUOTES = /[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb]/;
/** A line that systemd would read as a setting of its own (`Restart=`) or a section header. */
const DIRECTIVE_LINE = /^(\[|[A-Za-z][A-Za-z0-9_-]*\s*=)/;
/** More syntax findings than this for one file are summed up in one. */
const MAX_SYNTAX_FINDINGS = 10;
/** systemd's LONG_LINE_MAX: a longer line, continuations joined, makes config_parse() fail (ENOBUFS). */
export const SYSTEMD_LONG_LINE_MAX = 1024 * 1024;
/** A setting continued over more physical lines than this is reported: real units use a few dozen. */
const MANY_CONTINUATIONS = 1000;

interface PhysicalLine {
  text: string;
  line: number;
}

/** Characters ending a line for systemd's read_line(): LF, CR LF, CR and NUL. */
function physicalLines(text: string): PhysicalLine[] {
  const parts = text.split(/\r\n|\n|\r|\0/);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ text: t, line: i + 1 }));
}

/** Whether the line ends in an unescaped backslash, the way conf-parser.c scans it. */
function endsEscaped(s: string): boolean {
  let escaped = false;
  for (const ch of s) {
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
  }
  return escaped;
}

function isBinary(text: string): boolean {
  if (text.includes('\0')) return true;
  const bad = (text.match(/\uFFFD/g) ?? []).length;
  return bad > 8 && bad > text.length / 50;
}

/** Parses one unit file or drop-in. Never throws: problems become findings with `path` and line. */
export function parseUnitFile(text: string, path: string): ParsedUnitFile {
  const findings: Finding[] = [];
  const assignments: UnitAssignment[] = [];
  if (isBinary(text)) {
    findings.push({
      severity: 'error',
      code: 'systemd-not-text',
      path,
      message: `${path} is not a text file (binary data): systemd cannot load it and kdiff did not read it.`,
    });
    return { path, assignments, findings };
  }

  let syntaxCount = 0;
  const syntax = (severity: Finding['severity'], line: number, message: string, code = 'systemd-syntax'): void => {
    syntaxCount++;
    if (syntaxCount <= MAX_SYNTAX_FINDINGS) findings.push({ severity, code, path, line, message });
  };

  const lines = physicalLines(text);
  let section: string | null = null;
  // The logical line being built from continued physical lines, kept as pieces and joined once:
  // joining on every line would be quadratic in a unit of a million continuation lines.
  let cont: { parts: string[]; lines: number[][]; first: number } | null = null;
  let doubleRun: { first: number; count: number } | null = null;

  const flushDoubleRun = (): void => {
    if (!doubleRun) return;
    findings.push({
      severity: 'warning',
      code: 'systemd-double-backslash',
      path,
      line: doubleRun.first,
      message:
        `${path}:${doubleRun.first}: ${doubleRun.count} line(s) end in "\\\\" (a heredoc pasted without shell processing). ` +
        'systemd does not join lines ending in "\\\\": as written, the command gets a lone "\\" argument and the following ' +
        'lines are ignored as unknown settings. kdiff reads them as the continuation the author meant; end those lines with a single "\\".',
    });
    doubleRun = null;
  };

  const nextNonComment = (from: number): { text: string } | undefined => {
    for (let j = from; j < lines.length; j++) {
      const t = lines[j].text.trim();
      if (!(t !== '' && COMMENTS.includes(t[0]))) return lines[j];
    }
    return undefined;
  };

  let stopped = false;
  for (let idx = 0; idx < lines.length && !stopped; idx++) {
    const { text: raw, line } = lines[idx];
    const trimmedStart = raw.replace(/^[ \t\n\r]+/, '');
    // conf-parser.c drops comment lines before joining, so a comment inside a continuation is skipped
    if (trimmedStart !== '' && COMMENTS.includes(trimmedStart[0])) continue;

    const pieceLines = new Array<number>(raw.length).fill(line);
    const first: number = cont ? cont.first : line;
    const pending: { parts: string[]; lines: number[][]; first: number } = cont ?? { parts: [], lines: [], first };

    // A continued piece ends in a space, so the escape state entering this piece is always clear.
    if (endsEscaped(raw)) {
      pending.parts.push(raw.slice(0, -1) + ' ');
      pending.lines.push(pieceLines);
      cont = pending;
      continue;
    }
    if (/\\\\$/.test(raw)) {
      const next = nextNonComment(idx + 1);
      if (next && !DIRECTIVE_LINE.test(next.text.trim())) {
        doubleRun = doubleRun ?? { first: line, count: 0 };
        doubleRun.count++;
        pending.parts.push(raw.slice(0, -2) + ' ');
        pending.lines.push(pieceLines.slice(0, -1));
        cont = pending;
        continue;
      }
    }
    pending.parts.push(raw);
    pending.lines.push(pieceLines);
    cont = null;
    finishLogical(pending);
    flushDoubleRun();
  }
  if (cont && !stopped) finishLogical(cont);
  flushDoubleRun();

  if (syntaxCount > MAX_SYNTAX_FINDINGS) {
    findings.push({
      severity: 'warning',
      code: 'systemd-syntax',
      path,
      message: `${path} has ${syntaxCount - MAX_SYNTAX_FINDINGS} more line(s) systemd cannot parse (not listed).`,
    });
  }
  return { path, assignments, findings };

  function finishLogical(pending: { parts: string[]; lines: number[][]; first: number }): void {
    const chars = pending.parts.join('');
    const count = pending.parts.length;
    if (chars.length > SYSTEMD_LONG_LINE_MAX) {
      syntax(
        'error',
        pending.first,
        `${path}:${pending.first}: a line continued over ${count} lines is ${chars.length} characters long, over systemd's limit of ${SYSTEMD_LONG_LINE_MAX}: systemd refuses to load this file (kdiff reads no further).`,
        'systemd-line-too-long',
      );
      stopped = true;
      return;
    }
    if (count > MANY_CONTINUATIONS) {
      const blank = pending.parts.filter((p) => p.trim() === '').length;
      findings.push({
        severity: 'warning',
        code: 'systemd-long-continuation',
        path,
        line: pending.first,
        message: `${path}:${pending.first}: one line is continued over ${count} lines (${blank} of them blank), where real units use a few dozen: systemd joins them all; check the file was not mangled.`,
      });
    }
    handleLogical(chars, flatten(pending.lines), pending.first);
  }

  function handleLogical(chars: string, charLines: number[], first: number): void {
    // strstrip() on the logical line, keeping the character-to-line map aligned
    let a = 0;
    let b = chars.length;
    while (a < b && ' \t\n\r'.includes(chars[a])) a++;
    while (b > a && ' \t\n\r'.includes(chars[b - 1])) b--;
    const l = chars.slice(a, b);
    const ls = charLines.slice(a, b);
    if (l === '') return;
    const lineNo = ls[0] ?? first;
    if (l.includes('\uFFFD')) {
      syntax('warning', lineNo, `${path}:${lineNo}: invalid UTF-8: systemd ignores this line.`);
      return;
    }
    if (SMART_QUOTES.test(l)) {
      findings.push({
        severity: 'warning',
        code: 'systemd-smart-quotes',
        path,
        line: lineNo,
        message: `${path}:${lineNo}: typographic quotes (“ ” ‘ ’) are ordinary characters to systemd, not quotes: "${clip(l)}".`,
      });
    }
    if (l[0] === '[') {
      if (l[l.length - 1] !== ']') {
        syntax('error', lineNo, `${path}:${lineNo}: invalid section header "${clip(l)}": systemd refuses to load this file (kdiff reads no further).`);
        stopped = true;
        return;
      }
      section = l.slice(1, -1);
      return;
    }
    if (section === null) {
      syntax('warning', lineNo, `${path}:${lineNo}: assignment outside of any section: systemd ignores it.`);
      return;
    }
    const eq = l.indexOf('=');
    if (eq < 0) {
      // Not quoted: a line without "=" may be a secret pasted on its own.
      syntax('warning', lineNo, `${path}:${lineNo}: missing "=": systemd ignores this line.`);
      return;
    }
    if (eq === 0) {
      syntax('warning', lineNo, `${path}:${lineNo}: missing key name before "=": systemd ignores this line.`);
      return;
    }
    const key = l.slice(0, eq).replace(/[ \t\n\r]+$/, '');
    let vs = eq + 1;
    while (vs < l.length && ' \t\n\r'.includes(l[vs])) vs++;
    if (/^--?[A-Za-z]/.test(key)) {
      syntax(
        'warning',
        lineNo,
        `${path}:${lineNo}: "${clip(key)}" looks like a command-line flag, but it is not part of any ExecStart= (a broken line continuation?): systemd ignores it as an unknown setting.`,
        'systemd-stray-flag',
      );
    }
    assignments.push({ section, key, value: l.slice(vs), path, line: lineNo, valueLines: ls.slice(vs) });
  }
}

function flatten(pieces: readonly number[][]): number[] {
  const out: number[] = [];
  for (const p of pieces) for (const x of p) out.push(x);
  return out;
}

/** A piece of the file quoted in a message: short, secrets masked. */
function clip(s: string): string {
  const m = maskSecrets(s);
  return m.length > 80 ? m.slice(0, 77) + '...' : m;
}
