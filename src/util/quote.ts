/**
 * Text quoted for people to read: JSON's quoting escapes C0 controls, but leaves DEL, the C1
 * controls and the bidi embeddings, overrides and isolates as they are, which a terminal or an
 * editor would act on. One place writes them, for file names in messages, YAML rules and text output.
 */

/** `c` as a `\u` escape (`\u001b`). */
export function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

const BEYOND_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify(s), with DEL, C1 and bidi characters escaped as well: a valid JSON string and YAML
 * double-quoted scalar, which both read back as `s` itself.
 */
export function quoteText(s: string): string {
  return JSON.stringify(s).replace(BEYOND_JSON, unicodeEscape);
}
