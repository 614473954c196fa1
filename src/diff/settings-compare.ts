/** Compares the effective settings of one component on two nodes: flags and config-file fields. */
import type { Component, Difference, Severity } from '../model/types.js';
import type { NormalizedValue } from '../knowledge/flags.js';
import type { ComponentSettings, Setting } from './settings.js';
import { type DiffContext, difference, maxSeverity, sameValue, changeOf } from './types.js';

export interface Side {
  component: Component | null;
  settings: ComponentSettings;
}

export function compareSettings(name: string | null, left: Side, right: Side, ctx: DiffContext): Difference[] {
  const out: Difference[] = [];
  const keys = new Set([...left.settings.settings.keys(), ...right.settings.settings.keys()]);
  for (const key of [...keys].sort()) {
    const l = left.settings.settings.get(key);
    const r = right.settings.settings.get(key);
    const d = compareSetting(name, key, l, r, left, right, ctx);
    if (d) out.push(d);
  }
  return collapseItems(out, left, right);
}

/**
 * A list item (`keys[key1]`) on one side only is one difference, not one per field it holds: the
 * shortest `...]` prefix of the key that the other side has nothing under stands for them all.
 */
function collapseItems(diffs: Difference[], left: Side, right: Side): Difference[] {
  const out: Difference[] = [];
  const groups = new Map<string, Difference[]>();
  for (const d of diffs) {
    const other = d.change === 'added' ? left : d.change === 'removed' ? right : null;
    const item = d.subject === 'config' && other ? itemPrefix(d.key, [...other.settings.settings.keys()]) : null;
    if (!item) {
      out.push(d);
      continue;
    }
    const g = `${d.change} ${item}`;
    groups.set(g, [...(groups.get(g) ?? []), d]);
  }
  for (const [g, ds] of groups) {
    const item = g.slice(g.indexOf(' ') + 1);
    const side = ds[0].change === 'added' ? 'right' : 'left';
    const value = Object.fromEntries(ds.map((d) => [d.key.slice(item.length).replace(/^\./, '') || '.', side === 'left' ? d.left : d.right]));
    out.push(difference({
      ...ds[0], key: item, left: side === 'left' ? value : null, right: side === 'right' ? value : null,
      message: `${ds[0].component ?? 'node'} ${item} is on ${side} only; make them match if the difference is not intended.`,
    }));
  }
  return out;
}

function itemPrefix(key: string, otherKeys: readonly string[]): string | null {
  for (let i = key.indexOf(']'); i >= 0; i = key.indexOf(']', i + 1)) {
    const prefix = key.slice(0, i + 1);
    if (!otherKeys.some((k) => k.startsWith(prefix))) return prefix;
  }
  return null;
}

function compareSetting(
  name: string | null,
  key: string,
  l: Setting | undefined,
  r: Setting | undefined,
  left: Side,
  right: Side,
  ctx: DiffContext,
): Difference | null {
  const k = ctx.knowledge;
  const comp = name ?? '';
  const isFlag = (l ?? r)?.subject === 'flag';
  const info = isFlag && name ? safe(() => k.flagInfo(comp, key), undefined) : undefined;
  const defaultFor = (side: Side): NormalizedValue | null =>
    isFlag && name ? safe(() => k.effectiveDefault(comp, key, { viaConfigFile: side.settings.viaConfigFile }), null) : null;
  const lv = l ? l.value : defaultFor(left);
  const rv = r ? r.value : defaultFor(right);
  if (lv !== null && lv !== undefined && rv !== null && rv !== undefined && sameValue(lv, rv)) return null;
  if (!l && !r) return null;

  const subject = isFlag ? 'flag' : 'config';
  const change = changeOf(l, r);
  const leftShown = l ? l.display : null;
  const rightShown = r ? r.display : null;
  const what = `${name ?? 'node'} ${key}`;
  const describe = (s: Setting | undefined, v: unknown, side: string): string =>
    s ? `${quote(s.display)} on ${side}${s.fromFile && s.subject === 'flag' ? ` (${s.origin})` : ''}` : v !== null && v !== undefined ? `unset on ${side} (default ${quote(showDefault(v))})` : `unset on ${side}`;
  // The documented spelling (`1h`) when it is the default in force, the normalized value otherwise.
  const showDefault = (v: unknown): string =>
    info?.default != null && sameValue(safe(() => k.normalizeFlagValue(comp, key, info.default as string), null), v) ? info.default : show(v);
  const values = `${describe(l, lv, 'left')} and ${describe(r, rv, 'right')}`;
  const removal = removalNote(comp, l, r, left, right, ctx);

  // Security: either value weakens the node, or the flag guards it.
  if (isFlag && name) {
    const vl = safe(() => k.securityVerdict(comp, key, l ? rawFor(l) : null), undefined);
    const vr = safe(() => k.securityVerdict(comp, key, r ? rawFor(r) : null), undefined);
    const weakL = vl?.weak === true;
    const weakR = vr?.weak === true;
    if (weakL || weakR || safe(() => k.isSecurityFlag(comp, key), false)) {
      let severity: Severity;
      let reason: string;
      if (weakR && !weakL) {
        severity = vr?.severity === 'info' ? 'warning' : (vr?.severity ?? 'warning');
        reason = `right is weaker: ${vr?.reason ?? ''}`;
      } else if (weakL && !weakR) {
        severity = 'info';
        reason = `right is stronger: ${vl?.reason ?? ''}`;
      } else if (weakL && weakR) {
        severity = maxSeverity(vl?.severity ?? 'warning', vr?.severity ?? 'warning');
        reason = `both are weak: ${vr?.reason ?? ''}`;
      } else {
        severity = 'warning';
        reason = 'review the change, this setting guards the node';
      }
      if (removal) severity = maxSeverity(severity, 'warning');
      return difference({
        component: name, subject, key, change, category: 'security', severity, left: leftShown, right: rightShown,
        message: `${what} is ${values}; ${reason.replace(/\s+$/, '').replace(/[:.]$/, '')}${removal}.`,
      });
    }
  }
  if (l && r && l.isPath && r.isPath) {
    return difference({
      component: name, subject, key, change, category: 'layout', severity: removal ? 'warning' : 'info', left: leftShown, right: rightShown,
      message: `${what} points at ${quote(l.display)} on left and ${quote(r.display)} on right; only the location differs, what the file holds is compared by its role${removal}.`,
    });
  }
  return difference({
    component: name, subject, key, change, category: 'config', severity: 'warning', left: leftShown, right: rightShown,
    message: `${what} is ${values}${removal}; make them match if the difference is not intended.`,
  });
}

/** The raw value a security verdict reads (the display is the raw value with identity replaced). */
function rawFor(s: Setting): string {
  return s.display;
}

/** "; --insecure-port was removed in 1.24 (right runs v1.31.2)" for a flag still set past its removal. */
function removalNote(comp: string, l: Setting | undefined, r: Setting | undefined, left: Side, right: Side, ctx: DiffContext): string {
  const notes: string[] = [];
  for (const [s, side, label] of [[l, left, 'left'], [r, right, 'right']] as const) {
    if (!s || s.fromFile || !s.writtenAs.startsWith('--')) continue;
    const version = side.component?.version ?? null;
    const gone = safe(() => ctx.knowledge.removedAt(comp, s.writtenAs, version), undefined);
    if (!gone) continue;
    notes.push(`${s.writtenAs} was removed in ${gone.version}${version ? ` (${label} runs ${version})` : ` (set on ${label})`}`);
  }
  return notes.length ? `; ${notes.join('; ')}` : '';
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join(',');
  if (v && typeof v === 'object') return Object.entries(v).map(([a, b]) => `${a}=${String(b)}`).join(',');
  return String(v);
}

function quote(s: string): string {
  return s === '' ? '""' : s;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
