/**
 * systemd's word splitting (extract_first_word in src/basic/extract-word.c, C escapes from
 * cunescape_one in src/basic/escape.c), as documented in systemd.syntax(7) "Quoting":
 * https://www.freedesktop.org/software/systemd/man/latest/systemd.syntax.html
 */

export interface ExtractOptions {
  /** Quotes anywhere in a word group characters and are removed (EXTRACT_UNQUOTE). */
  unquote: boolean;
  /** Backslash sequences are C escapes (EXTRACT_CUNESCAPE); otherwise a backslash takes the next character literally. */
  cunescape: boolean;
  /** Unbalanced quotes and a trailing backslash end the word instead of failing (EXTRACT_RELAX). */
  relax: boolean;
}

export interface ExtractedWord {
  text: string;
  /** Offset of the word's first character in the input. */
  start: number;
}

export interface ExtractResult {
  words: ExtractedWord[];
  /** Set when systemd would log "Ignoring unknown escape sequences" (it keeps them verbatim). */
  unknownEscape: boolean;
  /** Set when systemd would give up on the rest of the value ("Unbalanced quoting, ignoring"). */
  unbalanced: boolean;
}


/** Decodes one C escape after a backslash at `s[i]`; returns the text and characters consumed, or null. */
export function cunescapeOne(s: string, i: number): { text: string; length: number } | null {
  const c = s[i];
  const simple: Record<string, string> = {
    a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
    '\\': '\\', '"': '"', "'": "'", s: ' ',
  };
  if (c === undefined) return null;
  if (c in simple) return { text: simple[c], length: 1 };
  const hex = (n: number): { text: string; length: number } | null => {
    const digits = s.slice(i + 1, i + 1 + n);
    if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) return null;
    const code = parseInt(digits, 16);
    // systemd refuses NUL and anything that is not a Unicode scalar value
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    return { text: String.fromCodePoint(code), length: n + 1 };
  };
  if (c === 'x') return hex(2);
  if (c === 'u') return hex(4);
  if (c === 'U') return hex(8);
  if (c >= '0' && c <= '7') {
    const digits = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) return null;
    const code = parseInt(digits, 8);
    if (code === 0 || code > 255) return null;
    return { text: String.fromCharCode(code), length: 3 };
  }
  return null;
}

type Step = { word: ExtractedWord; next: number } | { end: true } | { error: 'escape' | 'quote' };

/** A run of characters that are not blanks (isSpace's four). */
const PLAIN_WORD = /[^ \t\n\r]+/g;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function extractOne(s: string, from: number, o: ExtractOptions, cunescapeRelax: boolean): Step {
  const n = s.length;
  let i = from;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (i >= n) return { end: true };
  const start = i;
  let out = '';
  let quote = '';
  while (true) {
    if (i >= s.length) {
      if (quote && !o.relax) return { error: 'quote' };
      return { word: { text: out, start }, next: i };
    }
    const c = s[i];
    if (c === '\\') {
      i++;
      if (i >= s.length) {
        if (cunescapeRelax && (!quote || o.relax)) {
          out += '\\';
          return { word: { text: out, start }, next: i };
        }
        if (o.relax) return { word: { text: out, start }, next: i };
        return { error: 'escape' };
      }
      if (o.cunescape) {
        const u = cunescapeOne(s, i);
        if (u) {
          out += u.text;
          i += u.length;
        } else if (cunescapeRelax) {
          out += '\\' + s[i];
          i++;
        } else return { error: 'escape' };
      } else {
        out += s[i];
        i++;
      }
      continue;
    }
    // ordinary characters are taken a run at a time, up to the next one that means something
    let j = i + 1;
    if (quote) {
      if (c === quote) {
        quote = '';
        i++;
        continue;
      }
      while (j < n && s[j] !== quote && s[j] !== '\\') j++;
      out += s.slice(i, j);
      i = j;
      continue;
    }
    if ((c === '"' || c === "'") && o.unquote) {
      quote = c;
      i++;
      continue;
    }
    if (isSpace(s.charCodeAt(i))) return { word: { text: out, start }, next: i };
    for (; j < n; j++) {
      const d = s[j];
      if (d === '\\' || isSpace(s.charCodeAt(j)) || (o.unquote && (d === '"' || d === "'"))) break;
    }
    out += s.slice(i, j);
    i = j;
  }
}

/**
 * Splits a value into words the way systemd does for Environment=, ExecStart= and `$VAR` splitting.
 * Like extract_first_word_and_warn: an unknown escape is kept verbatim (with a warning), and
 * unbalanced quoting stops at the word that has it.
 */
export function extractWords(s: string, o: ExtractOptions): ExtractResult {
  const words: ExtractedWord[] = [];
  if (s.indexOf('\\') < 0 && (!o.unquote || (s.indexOf('"') < 0 && s.indexOf("'") < 0))) {
    // Nothing to unescape or unquote (a node's kubeadm-flags.env value): the words are the runs
    // between blanks, found by one regular expression instead of a loop over every character.
    PLAIN_WORD.lastIndex = 0;
    for (let m = PLAIN_WORD.exec(s); m !== null; m = PLAIN_WORD.exec(s)) words.push({ text: m[0], start: m.index });
    return { words, unknownEscape: false, unbalanced: false };
  }
  let unknownEscape = false;
  let pos = 0;
  while (true) {
    let step = extractOne(s, pos, o, false);
    if ('error' in step) {
      step = extractOne(s, pos, o, true);
      if ('error' in step) return { words, unknownEscape, unbalanced: true };
      unknownEscape = true;
    }
    if ('end' in step) return { words, unknownEscape, unbalanced: false };
    words.push(step.word);
    pos = step.next;
  }
}

/**
 * A POSIX shell's word splitting for a `sh -c` script, without any expansion: quotes and
 * backslashes are removed, `$(...)` and `$VAR` are kept as written. Enough to find the command
 * a wrapper script runs; `;`, `&&` and `|` end the first simple command.
 */
export function splitShellWords(script: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  let i = 0;
  const push = (): void => {
    if (cur !== null) words.push(cur);
    cur = null;
  };
  while (i < script.length) {
    const c = script[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      push();
      i++;
    } else if (c === ';' || c === '&' || c === '|') {
      break;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      cur = (cur ?? '') + script.slice(i + 1, end < 0 ? script.length : end);
      i = end < 0 ? script.length : end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < script.length && script[j] !== '"') {
        if (script[j] === '\\' && j + 1 < script.length && '$`"\\\n'.includes(script[j + 1])) {
          text += script[j + 1];
          j += 2;
        } else {
          text += script[j];
          j++;
        }
      }
      cur = (cur ?? '') + text;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 < script.length && script[i + 1] !== '\n') cur = (cur ?? '') + script[i + 1];
      i += 2;
    } else if (c === '$' && script[i + 1] === '(') {
      // keep a command substitution as one opaque piece of the word
      let depth = 0;
      let j = i + 1;
      for (; j < script.length; j++) {
        if (script[j] === '(') depth++;
        else if (script[j] === ')' && --depth === 0) break;
      }
      cur = (cur ?? '') + script.slice(i, j + 1);
      i = j + 1;
    } else {
      cur = (cur ?? '') + c;
      i++;
    }
  }
  push();
  return words;
}
