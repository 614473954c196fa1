/**
 * PEM reader: the blocks of a file, and what is wrong with the rest. Never throws.
 * Textual encoding: RFC 7468 (https://www.rfc-editor.org/rfc/rfc7468), lax parsing (section 2:
 * text before, between and after blocks is ignored, as OpenSSL and Go's encoding/pem do).
 */
import { Lru, deepFreeze } from '../../util/memo.js';
import { readTlv } from './der.js';

export interface PemBlock {
  /** `CERTIFICATE`, `RSA PRIVATE KEY`, `PUBLIC KEY` ... */
  label: string;
  der: Buffer;
  /** 1-based line of the BEGIN marker. */
  line: number;
}

export type PemProblem =
  | { kind: 'truncated'; label: string; line: number }
  | { kind: 'bad-base64'; label: string; line: number };

export interface PemRead {
  /** What the file looks like as a whole. */
  format: 'pem' | 'empty' | 'der' | 'text';
  blocks: PemBlock[];
  problems: PemProblem[];
}

const MAX_BLOCKS = 1000;
const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----\s*$/;
const END = /^-----END ([A-Z0-9 ]{1,64})-----\s*$/;

/** True when the bytes are one whole DER SEQUENCE (a binary certificate or key). */
function looksLikeDer(data: Buffer): boolean {
  if (data.length < 2 || data[0] !== 0x30) return false;
  const t = readTlv(data, 0);
  return t !== null && t.end === data.length;
}

// What a line must start with to be a BEGIN or END marker: most lines are base64 and skip both regexes.
const DASH = 45;
const HEADER = /^[A-Za-z-]+:/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function readPem(data: Buffer | string): PemRead {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return readPemText(buf, buf.toString('latin1'));
}

/**
 * One block as OpenSSL and Go write it: BEGIN line, base64 lines (padding only at the end), END line
 * of the same label, each ending in \n (the last may end the text). What the line reader below
 * makes of a text of such blocks alone is exactly their bodies, joined: read so with one match a block.
 */
const PLAIN_BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----\n((?:[A-Za-z0-9+/]+\n)*[A-Za-z0-9+/]*={0,2}\n)-----END \1-----(?:\n|$)/y;

/** The blocks of a text made of plain blocks alone (PLAIN_BLOCK, back to back), each valid base64; else null. */
function readPlainPem(text: string): PemRead | null {
  const blocks: PemBlock[] = [];
  PLAIN_BLOCK.lastIndex = 0;
  let line = 1;
  while (PLAIN_BLOCK.lastIndex < text.length) {
    const m = PLAIN_BLOCK.exec(text);
    if (m === null || blocks.length >= MAX_BLOCKS) return null;
    const body = m[2];
    // One body line per \n; the base64 is the rest.
    let lines = 0;
    for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
    const n = body.length - lines;
    if (n % 4 === 1 || n === 0) return null;
    // Node's base64 decoder skips the \n between lines: the same bytes as of the lines joined.
    blocks.push({ label: m[1], der: Buffer.from(body, 'base64'), line });
    // The BEGIN and END lines and the body's.
    line += 2 + lines;
  }
  return blocks.length > 0 ? { format: 'pem', blocks, problems: [] } : null;
}

function readPemText(buf: Buffer, text: string): PemRead {
  return (text.charCodeAt(0) === DASH ? readPlainPem(text) : null) ?? readPemLines(buf, text);
}

/** The general reader, line by line. */
function readPemLines(buf: Buffer, text: string): PemRead {
  if (buf.length === 0 || text.trim() === '') return { format: 'empty', blocks: [], problems: [] };
  // Split at \n alone: every line is trimmed before use, which drops the \r of a CRLF end (a string split costs less than a regex one).
  const lines = text.split('\n');
  const blocks: PemBlock[] = [];
  const problems: PemProblem[] = [];
  let i = 0;
  while (i < lines.length && blocks.length < MAX_BLOCKS) {
    const first = lines[i].trim();
    const begin = first.charCodeAt(0) === DASH ? first.match(BEGIN) : null;
    if (!begin) {
      i++;
      continue;
    }
    const label = begin[1];
    const line = i + 1;
    const body: string[] = [];
    let j = i + 1;
    let closed = false;
    let inHeaders = true;
    for (; j < lines.length; j++) {
      const t = lines[j].trim();
      if (t.charCodeAt(0) === DASH) {
        const end = t.match(END);
        if (end) {
          closed = end[1] === label;
          break;
        }
        if (BEGIN.test(t)) break;
      }
      // RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys precede the base64.
      if (inHeaders && HEADER.test(t)) continue;
      if (t !== '') inHeaders = false;
      body.push(t);
    }
    if (!closed) {
      problems.push({ kind: 'truncated', label, line });
      i = j;
      continue;
    }
    const b64 = body.join('');
    if (!BASE64.test(b64) || b64.length % 4 === 1 || b64.length === 0) {
      problems.push({ kind: 'bad-base64', label, line });
    } else {
      blocks.push({ label, der: Buffer.from(b64, 'base64'), line });
    }
    i = j + 1;
  }
  if (blocks.length > 0 || problems.length > 0) return { format: 'pem', blocks, problems };
  return { format: looksLikeDer(buf) ? 'der' : 'text', blocks, problems };
}

/**
 * Files holding only certificates, by their text: a fleet's CA file is read once. Never a key. A
 * text met for the first time is only noted (null): a node's own certificate (kubelet.crt) never
 * comes back, and is neither frozen nor kept; a text met again (the CA every node holds) is.
 */
const certificateFiles = new Lru<string, PemRead | null>(32);
const MAX_SHARED_TEXT = 64 * 1024;

/**
 * readPem for a file's bytes; a file of certificates alone met before (the same CA on every node)
 * gives the read of the first file with the same text met again, frozen and shared (`shared`), so
 * what is derived from its blocks may be kept by block.
 */
export function readPemFile(data: Buffer): { read: PemRead; shared: boolean } {
  const text = data.toString('latin1');
  // A text with a private key block is never kept: no lookup (text between blocks may say PRIVATE KEY too; then it is only read anew).
  if (data.length > MAX_SHARED_TEXT || text.includes('PRIVATE KEY')) return { read: readPemText(data, text), shared: false };
  const hit = certificateFiles.get(text);
  if (hit) return { read: hit, shared: true };
  const read = readPemText(data, text);
  if (read.format !== 'pem' || read.problems.length > 0 || !read.blocks.every((b) => CERTIFICATE_LABELS.has(b.label))) return { read, shared: false };
  if (hit === undefined) {
    certificateFiles.set(text, null);
    return { read, shared: false };
  }
  certificateFiles.set(text, deepFreeze(read));
  return { read, shared: true };
}

export const PRIVATE_KEY_LABELS = new Set(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'DSA PRIVATE KEY']);
export const PUBLIC_KEY_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
export const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

/** The two readers apart (tests hold the plain one to the line reader): null when the plain one declines. */
export const pemReaders = {
  plain: (text: string): PemRead | null => readPlainPem(text),
  lines: (text: string): PemRead => readPemLines(Buffer.from(text, 'latin1'), text),
};
