/**
 * Value normalizers: a flag value as the component understands it, so two spellings of one setting
 * compare equal. Go semantics where the components parse with Go: strconv.ParseBool,
 * time.ParseDuration, strconv.ParseInt(s, 0, 64), net.ParseCIDR; resource.Quantity for quantities.
 * Anything a normalizer cannot parse comes back as written (trimmed, unquoted), never throws.
 */
import { posix } from 'node:path';

/** Removes one or more layers of matching surrounding quotes: `'a'`, `"a"`, `''`. */
export function unquote(text: string): string {
  let s = text.trim();
  while (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) {
    s = s.slice(1, -1).trim();
  }
  return s;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool; a bare flag (empty value) means true. */
export function normalizeBool(text: string): string {
  const s = unquote(text);
  if (s === '' || TRUE.has(s)) return 'true';
  if (FALSE.has(s)) return 'false';
  return s;
}

/** Go's strconv.ParseInt with base 0 (0x, 0o, 0b, leading-0 octal, underscores). */
export function normalizeInt(text: string): string {
  const s = unquote(text);
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return s;
  let digits = m[2].replace(/_/g, '');
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  try {
    const n = BigInt(digits);
    return (m[1] === '-' ? -n : n).toString();
  } catch {
    return s;
  }
}

export function normalizeFloat(text: string): string {
  const s = unquote(text);
  if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return s;
  const n = Number(s);
  return Number.isFinite(n) ? String(n) : s;
}

const NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n,
  'μs': 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** Go's time.ParseDuration, as nanoseconds; undefined when it does not parse. */
export function parseDuration(text: string): bigint | undefined {
  let s = unquote(text);
  if (s === '0' || s === '+0' || s === '-0') return 0n;
  let sign = 1n;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  if (s === '') return undefined;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0n;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = NANOS[m[3]];
    const frac = m[2] ?? '';
    const scale = 10n ** BigInt(frac.length);
    total += (BigInt(m[1] || '0') * scale + BigInt(frac || '0')) * unit / scale;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Seconds, with as many decimals as needed: `1h` = `60m` = `3600s` -> `3600s`, `100ms` -> `0.1s`. */
export function formatSeconds(nanos: bigint): string {
  const neg = nanos < 0n;
  const abs = neg ? -nanos : nanos;
  const whole = abs / 1000000000n;
  const frac = (abs % 1000000000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}s`;
}

export function normalizeDuration(text: string): string {
  const n = parseDuration(text);
  return n === undefined ? unquote(text) : formatSeconds(n);
}

const QUANTITY_SUFFIX: Record<string, [bigint, bigint]> = {
  '': [1n, 1n],
  n: [1n, 1000000000n],
  u: [1n, 1000000n],
  m: [1n, 1000n],
  k: [1000n, 1n],
  M: [10n ** 6n, 1n],
  G: [10n ** 9n, 1n],
  T: [10n ** 12n, 1n],
  P: [10n ** 15n, 1n],
  E: [10n ** 18n, 1n],
  Ki: [1n << 10n, 1n],
  Mi: [1n << 20n, 1n],
  Gi: [1n << 30n, 1n],
  Ti: [1n << 40n, 1n],
  Pi: [1n << 50n, 1n],
  Ei: [1n << 60n, 1n],
};

/**
 * A resource quantity in base units (`1Gi` = `1024Mi` -> `1073741824`), or in milli-units when it has
 * a fraction (`0.1` = `100m` -> `100m`). Percentages and anything else stay as written.
 */
export function normalizeQuantity(text: string): string {
  const s = unquote(text);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return s;
  const frac = m[3] ?? '';
  let num = BigInt(`${m[2] || '0'}${frac}`);
  let den = 10n ** BigInt(frac.length);
  if (m[4]) {
    const exp = Number(m[4].slice(1));
    if (Math.abs(exp) > 30) return s;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  } else {
    const [mul, div] = QUANTITY_SUFFIX[m[5] ?? ''];
    num *= mul;
    den *= div;
  }
  const sign = m[1] === '-' && num !== 0n ? '-' : '';
  if (num % den === 0n) return `${sign}${num / den}`;
  if ((num * 1000n) % den === 0n) return `${sign}${(num * 1000n) / den}m`;
  return s;
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** 16 bytes of an IPv6 address (with an optional trailing IPv4 part), or undefined. */
function parseIPv6(s: string): number[] | undefined {
  let text = s.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) return undefined;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  if (!head || !rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** RFC 5952 text of 16 bytes: lowercase, the longest run of zero groups compressed. */
function formatIPv6(bytes: number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function maskBytes(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

/** One IP address, canonical (IPv6 lowercased and compressed); undefined when it is not one. */
export function canonicalIP(text: string): string | undefined {
  const s = unquote(text).replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIPv4(s);
  if (v4) return v4.join('.');
  const v6 = parseIPv6(s);
  return v6 ? formatIPv6(v6) : undefined;
}

/** One CIDR, canonical: host bits cleared (as net.ParseCIDR does), IPv6 compressed. */
export function canonicalCIDR(text: string): string | undefined {
  const s = unquote(text);
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const v4 = parseIPv4(addr);
  if (v4) return bits > 32 ? undefined : `${maskBytes(v4, bits).join('.')}/${bits}`;
  const v6 = parseIPv6(addr);
  if (v6) return bits > 128 ? undefined : `${formatIPv6(maskBytes(v6, bits))}/${bits}`;
  return undefined;
}

/** Comma-separated values, split, trimmed and unquoted, empties dropped. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  for (const part of unquote(text).split(',')) {
    const item = unquote(part);
    if (item !== '') out.push(item);
  }
  return out;
}

/** A dual-stack pair (`10.96.0.0/12,fd00::/108`) keeps its order: the first family is primary. */
export function normalizeCIDR(text: string): string {
  return splitList(text).map((p) => canonicalCIDR(p) ?? p).join(',');
}

export function normalizeIP(text: string): string {
  return splitList(text).map((p) => canonicalIP(p) ?? p).join(',');
}

/** Lowercase scheme and host, IPv6 compressed, default port and a bare trailing `/` dropped. */
export function normalizeURL(text: string): string {
  const s = unquote(text);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return s;
  }
  if (url.username || url.password) return s;
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}${url.hash}`;
}

export function normalizePath(text: string): string {
  const s = unquote(text);
  if (s === '') return s;
  const n = posix.normalize(s);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export type ElementKind = 'cidr' | 'quantity' | 'duration' | 'bool';

export function normalizeElement(kind: ElementKind | undefined, text: string): string {
  switch (kind) {
    case 'cidr':
      return canonicalCIDR(text) ?? canonicalIP(text) ?? unquote(text);
    case 'quantity':
      return normalizeQuantity(text);
    case 'duration':
      return normalizeDuration(text);
    case 'bool':
      return normalizeBool(text);
    default:
      return unquote(text);
  }
}

/**
 * key=value pairs (`a=true,b=false`) as an object sorted by key; the last of a repeated key wins.
 * `separator` `:` for pflag's colonSeparatedMultimapStringString (repeated keys collect their values).
 * An eviction threshold (`memory.available<100Mi`) splits at `<`.
 * A key with no value is `true` when values are booleans (`--runtime-config=api/all`).
 */
export function normalizeMap(text: string, values?: ElementKind, separator: '=' | ':' = '='): Record<string, string> {
  const pairs: Array<[string, string]> = [];
  for (const item of splitList(text)) {
    let at = item.indexOf(separator);
    if (at < 0 && separator === '=') at = item.indexOf('<');
    const key = unquote(at < 0 ? item : item.slice(0, at));
    const raw = at < 0 ? (values === 'bool' ? 'true' : '') : item.slice(at + 1);
    const value = normalizeElement(values, raw);
    const prior = pairs.findIndex(([k]) => k === key);
    if (prior >= 0 && separator === ':') pairs[prior][1] = `${pairs[prior][1]},${value}`;
    else if (prior >= 0) pairs[prior][1] = value;
    else pairs.push([key, value]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(pairs);
}

export function normalizeSet(text: string, element?: ElementKind): string[] {
  const items = new Set(splitList(text).map((p) => normalizeElement(element, p)));
  return [...items].sort();
}

export function normalizeList(text: string, element?: ElementKind): string[] {
  return splitList(text).map((p) => normalizeElement(element, p));
}

export function normalizeURLList(text: string): string[] {
  return [...new Set(splitList(text).map(normalizeURL))].sort();
}
