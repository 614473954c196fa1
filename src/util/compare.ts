/**
 * `a.localeCompare(b)` without paying for ICU when the answer is known. The first localeCompare of
 * a process builds an ICU collator (~5 ms, a tenth of `kdiff <cp> <cp>`'s own time). For strings
 * of printable ASCII punctuation, digits, letters and NUL (the paths, names, flags, `path:line`
 * sources and NUL-joined keys kdiff sorts), the collation of the root, English and C/POSIX
 * locales is simple: NUL is ignored; characters compare by the root order below with letters
 * taken without case; only when that ties does lower case come before upper case at the first
 * place the two differ. Anything else, or any other locale (whose collation may differ: Danish
 * sorts "aa" after "z"), still goes to localeCompare. test/util/compare.test.ts holds the two to
 * the same answers.
 */

/** Unicode's root collation order of the ASCII characters handled here (no backslash, '`', '^'). */
const ROOT_ORDER = ` _-,;:!?.'"()[]{}@*/&#%+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz`;
const RANK = new Uint8Array(128);
for (let i = 0; i < ROOT_ORDER.length; i++) {
  const c = ROOT_ORDER.charCodeAt(i);
  RANK[c] = i + 1;
  if (c >= 0x61 && c <= 0x7a) RANK[c - 0x20] = i + 1;
}

/** ICU takes its default locale from LC_ALL, then LC_MESSAGES, then LANG. */
export function defaultCollationIsRoot(env: Record<string, string | undefined>): boolean {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    return /^(?:C|POSIX|en)(?:[._@-]|$)/i.test(value);
  }
  return true;
}

function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0 && (c >= 128 || RANK[c] === 0)) return false;
  }
  return true;
}

let rootCollation: boolean | undefined;

/** The same sign as `a.localeCompare(b)` (-1, 0 or 1 on the fast path). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  rootCollation ??= defaultCollationIsRoot(process.env);
  if (!rootCollation || !plain(a) || !plain(b)) return a.localeCompare(b);
  if (a.includes('\0')) a = a.replaceAll('\0', '');
  if (b.includes('\0')) b = b.replaceAll('\0', '');
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = RANK[a.charCodeAt(i)] - RANK[b.charCodeAt(i)];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  // Equal but for case: upper case sorts after lower case (and before it in UTF-16).
  return a < b ? 1 : a > b ? -1 : 0;
}
