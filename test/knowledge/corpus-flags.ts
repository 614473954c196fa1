/**
 * Test helper: the flags of a corpus file, read just well enough to feed the knowledge functions
 * (the real readers are the systemd and static-pod scanners).
 */
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { isBooleanFlag } from '../../src/knowledge/flags.js';

export const CORPUS = new URL('../../fixtures/corpus/', import.meta.url);

export function corpusText(rel: string): string {
  return readFileSync(new URL(rel, CORPUS), 'utf8');
}

/** name -> value (null for a bare boolean) from a systemd unit's ExecStart, `--k=v` and `--k v` forms. */
export function unitFlags(component: string, rel: string): Map<string, string | null> {
  const text = corpusText(rel).replace(/\\\n/g, ' ');
  const exec = /^ExecStart=(.*)$/m.exec(text);
  const words = (exec ? exec[1] : '').split(/\s+/).filter((w) => w !== '').slice(1);
  const out = new Map<string, string | null>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('--')) continue;
    const eq = w.indexOf('=');
    if (eq > 0) out.set(w.slice(0, eq), w.slice(eq + 1));
    else if (isBooleanFlag(component, w) || i + 1 >= words.length || words[i + 1].startsWith('--')) out.set(w, null);
    else out.set(w, words[++i]);
  }
  return out;
}

/** name -> value from a static pod manifest's first container command. */
export function manifestFlags(rel: string): Map<string, string> {
  const doc = load(corpusText(rel)) as { spec: { containers: Array<{ command: string[] }> } };
  const out = new Map<string, string>();
  for (const arg of doc.spec.containers[0].command.slice(1)) {
    const eq = arg.indexOf('=');
    out.set(eq > 0 ? arg.slice(0, eq) : arg, eq > 0 ? arg.slice(eq + 1) : '');
  }
  return out;
}

export function get<T>(map: Map<string, T>, key: string): T {
  if (!map.has(key)) throw new Error(`corpus file has no ${key}`);
  return map.get(key) as T;
}
