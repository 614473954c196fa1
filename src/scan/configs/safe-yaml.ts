/**
 * A bounded YAML reader that keeps the line of every value: static pod manifests and component
 * config files are untrusted input, and every flag must carry its `file:line`.
 * YAML 1.2: https://yaml.org/spec/1.2.2/ ; events from js-yaml's `parseEvents` (offsets, no values),
 * values from `constructFromEvents` with an alias cap (billion laughs), so both share one parse.
 */
import { constructFromEvents, getScalarValue, parseEvents, type Event } from 'js-yaml';
import type { Finding } from '../../model/types.js';
import { Lru, MAX_MEMO_INPUT, contentKey } from '../../util/memo.js';

export interface YamlLimits {
  /** Largest text parsed, in characters. Manifests and config files are a few KiB. */
  maxChars: number;
  /** Deepest nesting of collections. */
  maxDepth: number;
  /** Aliases per document: Kubernetes files do not use them; a handful keeps expansion bounded. */
  maxAliases: number;
  /** Documents per file. */
  maxDocuments: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxChars: 1024 * 1024,
  maxDepth: 64,
  maxAliases: 10,
  maxDocuments: 100,
};

export type YamlPath = readonly (string | number)[];

export interface YamlDocument {
  /** 0-based index of the document in its file. */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  value: unknown;
  /** 1-based line of each value, keyed by `pathKey(path)`. */
  lines: Map<string, number>;
}

export interface YamlReadResult {
  documents: YamlDocument[];
  findings: Finding[];
}

export function pathKey(path: YamlPath): string {
  return path.map(String).join('\u0000');
}

/** 1-based line of the value at `path` in a document, or the document's own line. */
export function lineOf(doc: YamlDocument, path: YamlPath): number {
  for (let n = path.length; n >= 0; n--) {
    const line = doc.lines.get(pathKey(path.slice(0, n)));
    if (line !== undefined) return line;
  }
  return doc.line;
}

const SMART_QUOTES = /[\u2018\u2019\u201C\u201D]/;
// NUL and C0 controls other than tab/LF/CR never appear in a text config file; U+FFFD is what
// invalid UTF-8 decodes to.
const BINARY = /[\u0000-\u0008\u000E-\u001F\uFFFD]/;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function eventOffset(ev: Event): number {
  switch (ev.type) {
    case 2:
    case 3:
      return ev.anchorStart >= 0 ? ev.anchorStart : ev.start;
    case 4:
      return ev.valueStart;
    case 5:
      return ev.anchorStart;
    default:
      return -1;
  }
}

type Frame = { kind: 'map'; path: (string | number)[]; key: string | null } | { kind: 'seq'; path: (string | number)[]; index: number };

/** Lines of every value of every document in an event stream. */
function lineMaps(source: string, events: readonly Event[], starts: readonly number[], lineOffset: number): { line: number; lines: Map<string, number> }[] {
  const out: { line: number; lines: Map<string, number> }[] = [];
  let stack: Frame[] = [];
  let current: { line: number; lines: Map<string, number> } | null = null;
  // Inside a complex (non-scalar) mapping key we only track depth, positions there are not wanted.
  let skipDepth = 0;
  for (const ev of events) {
    if (ev.type === 1) {
      current = { line: 0, lines: new Map() };
      out.push(current);
      stack = [];
      continue;
    }
    if (!current) continue;
    if (ev.type === 6) {
      if (skipDepth > 0) skipDepth--;
      else stack.pop();
      continue;
    }
    const isCollection = ev.type === 2 || ev.type === 3;
    if (skipDepth > 0) {
      if (isCollection) skipDepth++;
      continue;
    }
    const line = lineAt(starts, eventOffset(ev)) + lineOffset;
    const top = stack[stack.length - 1];
    let path: (string | number)[];
    if (!top) {
      path = [];
      current.line = line;
    } else if (top.kind === 'map') {
      if (top.key === null) {
        if (ev.type === 4) top.key = getScalarValue(source, ev);
        else {
          top.key = '?';
          if (isCollection) skipDepth = 1;
        }
        continue;
      }
      path = [...top.path, top.key];
      top.key = null;
    } else {
      path = [...top.path, top.index++];
    }
    current.lines.set(pathKey(path), line);
    if (ev.type === 2) stack.push({ kind: 'seq', path, index: 0 });
    else if (ev.type === 3) stack.push({ kind: 'map', path, key: null });
  }
  return out;
}

interface Piece {
  text: string;
  /** Lines before this piece in the file. */
  lineOffset: number;
}

/** Splits a stream at `---` lines, for reading the good documents of a file with a broken one. */
function splitDocuments(text: string): Piece[] {
  const pieces: Piece[] = [];
  const lines = text.split('\n');
  let startLine = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || /^---(\s|$)/.test(lines[i])) {
      if (i > startLine || i === lines.length) pieces.push({ text: lines.slice(startLine, i).join('\n'), lineOffset: startLine });
      startLine = i + 1;
    }
  }
  return pieces;
}

function errorLine(err: unknown, lineOffset: number): number | undefined {
  const mark = (err as { mark?: { line?: number } }).mark;
  return mark && typeof mark.line === 'number' ? mark.line + 1 + lineOffset : undefined;
}

function errorReason(err: unknown): string {
  const e = err as { reason?: unknown; message?: unknown };
  const text = typeof e.reason === 'string' ? e.reason : typeof e.message === 'string' ? e.message.split('\n')[0] : String(err);
  return text.replace(/\s+/g, ' ').trim();
}

function parsePiece(piece: Piece, limits: YamlLimits): { documents: Omit<YamlDocument, 'index'>[] } | { error: unknown; lineOffset: number } {
  try {
    const events = parseEvents(piece.text, { maxDepth: limits.maxDepth });
    const values = constructFromEvents(events, { source: piece.text, maxAliases: limits.maxAliases });
    const maps = lineMaps(piece.text, events, lineStarts(piece.text), piece.lineOffset);
    const documents = values.map((value, i) => ({ value, line: maps[i]?.line || piece.lineOffset + 1, lines: maps[i]?.lines ?? new Map<string, number>() }));
    return { documents };
  } catch (error) {
    return { error, lineOffset: piece.lineOffset };
  }
}

function yamlFinding(path: string, err: unknown, lineOffset: number, severity: Finding['severity']): Finding {
  const reason = errorReason(err);
  const aliases = /alias/i.test(reason);
  const depth = /depth|nesting/i.test(reason);
  return {
    severity,
    code: aliases ? 'yaml-too-many-aliases' : depth ? 'yaml-too-deep' : 'yaml-parse-error',
    path,
    ...(errorLine(err, lineOffset) !== undefined ? { line: errorLine(err, lineOffset) } : {}),
    message: aliases
      ? `${path} uses more YAML aliases than kdiff expands (${reason}): the document was not read.`
      : `${path} is not valid YAML: ${reason}.`,
  };
}

/**
 * Every document of a YAML (or JSON) text with the line of each value. Never throws: binary
 * content, oversized text, parse errors and alias bombs become findings; with a broken document,
 * the others are still returned.
 */
export function readYamlDocuments(text: string, path: string, options: { limits?: Partial<YamlLimits>; severity?: Finding['severity'] } = {}): YamlReadResult {
  if (text.length > MAX_MEMO_INPUT) return readYamlUncached(text, path, options);
  try {
    return structuredClone(readYamlShared(text, path, options));
  } catch {
    return readYamlUncached(text, path, options);
  }
}

/**
 * The same as readYamlDocuments, but the result may be the one handed to every other caller with
 * the same text: the caller must not change it (loadConfigFile copies what it keeps). The same
 * config.yaml sits on every node of a fleet: it is parsed once.
 */
export function readYamlShared(text: string, path: string, options: { limits?: Partial<YamlLimits>; severity?: Finding['severity'] } = {}): YamlReadResult {
  if (text.length > MAX_MEMO_INPUT) return readYamlUncached(text, path, options);
  const key = `${contentKey('yaml', text)}\u0000${path}\u0000${options.severity ?? ''}\u0000${options.limits ? JSON.stringify(options.limits) : ''}`;
  let read = yamlCache.get(key);
  if (!read) {
    read = readYamlUncached(text, path, options);
    yamlCache.set(key, read);
  }
  return read;
}

const yamlCache = new Lru<string, YamlReadResult>(512);

function readYamlUncached(text: string, path: string, options: { limits?: Partial<YamlLimits>; severity?: Finding['severity'] }): YamlReadResult {
  const limits = { ...DEFAULT_YAML_LIMITS, ...options.limits };
  const severity = options.severity ?? 'warning';
  const findings: Finding[] = [];
  if (text.length > limits.maxChars) {
    findings.push({ severity, code: 'yaml-too-large', path, message: `${path} is ${text.length} characters, over the ${limits.maxChars}-character limit for a YAML file: not read.` });
    return { documents: [], findings };
  }
  const binary = BINARY.exec(text);
  if (binary) {
    const line = lineAt(lineStarts(text), binary.index);
    if (binary[0] === '\uFFFD') {
      // The kubelet's and kubeadm's YAML decoder (go-yaml) refuses invalid UTF-8 outright.
      findings.push({ severity, code: 'yaml-invalid-utf8', path, line, message: `${path}:${line} is not valid UTF-8, which YAML decoders (the kubelet's too) refuse: not read.` });
    } else {
      findings.push({ severity, code: 'binary-file', path, line, message: `${path}:${line} holds binary data (control characters), not YAML text: not read.` });
    }
    return { documents: [], findings };
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (SMART_QUOTES.test(lines[i]) && !lines[i].trimStart().startsWith('#')) {
      findings.push({
        severity: 'warning',
        code: 'smart-quotes',
        path,
        line: i + 1,
        message: `${path}:${i + 1} has typographic quotes (“ ” ‘ ’), which YAML keeps as part of the value: probably pasted from a document.`,
      });
      break;
    }
  }
  const whole = parsePiece({ text, lineOffset: 0 }, limits);
  let docs: Omit<YamlDocument, 'index'>[] = [];
  if ('documents' in whole) docs = whole.documents;
  else {
    // Keep the documents that do parse: one broken document must not hide the others.
    const pieces = splitDocuments(text);
    if (pieces.length > 1) {
      for (const piece of pieces) {
        const r = parsePiece(piece, limits);
        if ('documents' in r) docs.push(...r.documents);
        else findings.push(yamlFinding(path, r.error, r.lineOffset, severity));
      }
    }
    if (!findings.some((f) => f.code.startsWith('yaml-'))) findings.push(yamlFinding(path, whole.error, 0, severity));
  }
  if (docs.length > limits.maxDocuments) {
    findings.push({ severity, code: 'yaml-too-many-documents', path, message: `${path} has ${docs.length} YAML documents: only the first ${limits.maxDocuments} were read.` });
    docs = docs.slice(0, limits.maxDocuments);
  }
  const documents: YamlDocument[] = [];
  for (const d of docs) {
    if (d.value === null || d.value === undefined) continue;
    documents.push({ ...d, index: documents.length });
  }
  return { documents, findings };
}
