/**
 * IP address text as Node's net.isIPv4 / net.isIPv6 accept it (RFC 4291 section 2.2 forms, with an
 * optional zone id), without loading node:net: that module brings Node's streams and sockets,
 * ~2 ms of a ~100 ms command that opens none. test/util/ip.test.ts holds these to node:net.
 */

const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** One decimal part of a dotted quad: 0-255, no leading zero. */
function decimalOctet(s: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 1 || n > 3) return false;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
    value = value * 10 + (c - DIGIT_0);
  }
  if (n > 1 && s.charCodeAt(start) === DIGIT_0) return false;
  return value <= 255;
}

/** `a.b.c.d`, each part 0-255 written without leading zeros. */
export function isIPv4(s: string): boolean {
  let start = 0;
  for (let part = 0; part < 4; part++) {
    const dot = part < 3 ? s.indexOf('.', start) : s.length;
    if (dot < 0 || !decimalOctet(s, start, dot)) return false;
    start = dot + 1;
  }
  return true;
}

/** One to four hex digits. */
function hexGroup(g: string): boolean {
  return g.length >= 1 && g.length <= 4 && /^[0-9a-fA-F]+$/.test(g);
}

/** Groups of `a:b:c` (none for ''), or -1 when one is not a hex group. */
function hexGroups(s: string): number {
  if (s === '') return 0;
  const groups = s.split(':');
  return groups.every(hexGroup) ? groups.length : -1;
}

/** Eight 16-bit groups, `::` for one or more zero groups, an IPv4 tail for the last two, then `%zone`. */
export function isIPv6(s: string): boolean {
  let addr = s;
  const percent = s.indexOf('%');
  if (percent >= 0) {
    if (!/^[0-9a-zA-Z.:-]+$/.test(s.slice(percent + 1))) return false;
    addr = s.slice(0, percent);
  }
  const lastColon = addr.lastIndexOf(':');
  if (lastColon < 0) return false;
  let written = 0;
  let body = addr;
  const last = addr.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIPv4(last)) return false;
    written = 2;
    // Keep a `::` before the IPv4 tail; drop the single colon that only separates it.
    body = addr.slice(0, addr.endsWith(`::${last}`) ? lastColon + 1 : lastColon);
  }
  if (body.includes('.')) return false;
  const double = body.indexOf('::');
  if (double < 0) {
    const n = hexGroups(body);
    return n >= 0 && n + written === 8;
  }
  if (body.indexOf('::', double + 1) >= 0) return false;
  const before = hexGroups(body.slice(0, double));
  const after = hexGroups(body.slice(double + 2));
  return before >= 0 && after >= 0 && before + after + written <= 7;
}
