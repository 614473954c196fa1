/**
 * Unit specifiers (`%i`, `%n`, ...) as systemd resolves them when it loads a unit:
 * systemd.unit(5) "Specifiers": https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html#Specifiers
 */
import type { Finding } from '../../model/types.js';
import type { UnitAssignment } from './unit-file.js';

/**
 * Every specifier letter systemd.unit(5) lists ("Specifiers"). "Specifiers must be known and
 * resolvable for the setting to be valid": systemd refuses a setting with any other letter.
 */
const SPECIFIER_LETTERS = new Set('aAbBcCdDEfgGhHiIjJlLmMnNopPqrRsStTuUvVwWyY%');

/**
 * Specifiers whose value depends on the running host (%H, %m, %b, %v...), on the manager's user
 * (%u, %h, %s: before systemd 249 they followed User=) or on the credentials directory: left as
 * written. `--hostname-override=%H` on two nodes is the same setting, and reads so in a diff.
 */
function specifierValues(unitName: string): Record<string, string> {
  const dot = unitName.lastIndexOf('.');
  const base = dot > 0 ? unitName.slice(0, dot) : unitName;
  const at = base.indexOf('@');
  const prefix = at >= 0 ? base.slice(0, at) : base;
  const instance = at >= 0 ? base.slice(at + 1) : '';
  const last = prefix.slice(prefix.lastIndexOf('-') + 1);
  return {
    '%': '%',
    n: unitName,
    N: base,
    p: prefix,
    P: unescapeUnitName(prefix),
    i: instance,
    I: unescapeUnitName(instance),
    j: last,
    J: unescapeUnitName(last),
    f: at >= 0 && instance !== '' ? unescapeUnitPath(instance) : unescapeUnitPath(prefix),
    // the directory roots of the system manager
    C: '/var/cache',
    E: '/etc',
    L: '/var/log',
    S: '/var/lib',
    t: '/run',
    T: '/tmp',
    V: '/var/tmp',
  };
}

/** unit_name_unescape(): "-" is "/", `\xNN` is a byte (systemd.unit(5), "String Escaping for Inclusion in Unit Names"). */
export function unescapeUnitName(s: string): string {
  if (!s.includes('-') && !s.includes('\\')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '-') bytes.push(0x2f);
    else if (c === '\\' && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** unit_name_path_unescape(): "-" alone is the root, anything else unescaped with "/" in front. */
function unescapeUnitPath(s: string): string {
  if (s === '-' || s === '') return '/';
  const u = unescapeUnitName(s);
  return u.startsWith('/') ? u : '/' + u;
}

export interface SpecifierResult {
  text: string;
  /** Specifiers systemd does not know (`%z`), each once, as written. */
  unknown: string[];
}

/** Resolves the specifiers systemd knows without a running system; others are left as written. */
export function expandSpecifiers(s: string, unitName: string): SpecifierResult {
  if (!s.includes('%')) return { text: s, unknown: [] };
  const known = specifierValues(unitName);
  const unknown: string[] = [];
  // a lone "%" at the very end stays "%", as in specifier_printf()
  const text = s.replace(/%(.)/gsu, (m, c: string) => {
    const v = known[c];
    if (v !== undefined) return v;
    if (!SPECIFIER_LETTERS.has(c) && !unknown.includes(m)) unknown.push(m);
    return m;
  });
  return { text, unknown };
}

/** Resolves the specifiers systemd knows without a running system; others are left as written. */
export function resolveSpecifiers(s: string, unitName: string): string {
  return expandSpecifiers(s, unitName).text;
}

/** The finding for specifiers systemd does not know, with what systemd does about the setting. */
export function badSpecifierFinding(a: UnitAssignment, line: number, unknown: readonly string[], consequence: string): Finding {
  return {
    severity: a.key === 'ExecStart' ? 'error' : 'warning',
    code: 'systemd-bad-specifier',
    path: a.path,
    line,
    message: `${a.path}:${line}: ${unknown.join(', ')} in ${a.key}= ${unknown.length === 1 ? 'is no specifier' : 'are no specifiers'} systemd knows (write "%%" for a literal "%"): ${consequence} kdiff keeps the text as written.`,
  };
}
