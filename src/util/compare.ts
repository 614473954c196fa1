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

/**
 * What a plain string sorts by: `primary` its RANKs (NULs left out) as characters, compared as
 * strings (a shorter prefix first, as the rank-by-rank walk did), and `exact` the string without
 * NULs for the case tie-break. Null for a string with anything else (localeCompare's to order).
 */
interface SortKey {
  primary: string;
  exact: string;
}

function sortKey(s: string): SortKey | null {
  let primary = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) continue;
    if (c >= 128 || RANK[c] === 0) return null;
    primary += String.fromCharCode(RANK[c]);
  }
  return { primary, exact: s.includes('\0') ? s.replaceAll('\0', '') : s };
}

/**
 * Sort keys by string content. Sorts compare each string several times, and every node of a fleet
 * sorts the same paths and keys: the walk over a string's characters is done once, each comparison
 * after it is two lookups and two native string comparisons. Bounded: a run with more distinct
 * strings starts over.
 */
const KEYS_MAX = 10_000;
const keys = new Map<string, SortKey | null>();

function keyOf(s: string): SortKey | null {
  let k = keys.get(s);
  if (k === undefined) {
    k = sortKey(s);
    if (keys.size >= KEYS_MAX) keys.clear();
    keys.set(s, k);
  }
  return k;
}

let rootCollation: boolean | undefined;

/** The same sign as `a.localeCompare(b)` (-1, 0 or 1 on the fast path). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  rootCollation ??= defaultCollationIsRoot(process.env);
  if (!rootCollation) return a.localeCompare(b);
  const ka = keyOf(a);
  const kb = ka === null ? null : keyOf(b);
  if (ka === null || kb === null) return a.localeCompare(b);
  if (ka.primary !== kb.primary) return ka.primary < kb.primary ? -1 : 1;
  // Equal but for case: upper case sorts after lower case (and before it in UTF-16).
  const x = ka.exact;
  const y = kb.exact;
  return x < y ? 1 : x > y ? -1 : 0;
}
