/**
 * Writes tar archives by hand, header by header (POSIX ustar + pax, see tar(5)), so tests can build
 * archives no well-behaved tar would write: `../` names, absolute names, devices, lying sizes.
 */
import { gzipSync } from 'node:zlib';

export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'unknown';

export interface TarEntrySpec {
  name: string;
  type?: TarType;
  data?: Buffer | string;
  linkpath?: string;
  /** Size written in the header when it must lie about the data that follows. */
  declaredSize?: number;
}

const TYPEFLAG: Record<TarType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
  unknown: 'Z',
};

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, type: string, size: number, linkpath = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  if (size > 0o77777777777) {
    // base-256 for sizes over 8 GiB, as GNU tar writes them
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(1700000000, 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(linkpath, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'latin1');
  return h;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** One entry's blocks (with a pax header first when a name does not fit in 100 bytes). */
export function tarEntry(spec: TarEntrySpec): Buffer {
  const type = spec.type ?? 'file';
  const data = spec.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(spec.data) ? spec.data : Buffer.from(spec.data);
  const parts: Buffer[] = [];
  const link = spec.linkpath ?? '';
  if (Buffer.byteLength(spec.name) > 99 || Buffer.byteLength(link) > 99) {
    let pax = '';
    if (Buffer.byteLength(spec.name) > 99) pax += paxRecord('path', spec.name);
    if (Buffer.byteLength(link) > 99) pax += paxRecord('linkpath', link);
    const body = Buffer.from(pax);
    parts.push(header('PaxHeader/x', 'x', body.length), pad(body));
  }
  const size = data.length;
  parts.push(header(spec.name.slice(0, 99), TYPEFLAG[type], spec.declaredSize ?? size, link.slice(0, 99)));
  if (data.length > 0) parts.push(pad(data));
  return Buffer.concat(parts);
}

/** A whole archive: entries, then the two zero blocks that end it (unless `end` is false). */
export function tarArchive(entries: TarEntrySpec[], end = true): Buffer {
  return Buffer.concat([...entries.map(tarEntry), ...(end ? [Buffer.alloc(1024)] : [])]);
}

export function tgz(entries: TarEntrySpec[]): Buffer {
  return gzipSync(tarArchive(entries));
}
