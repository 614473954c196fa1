/** Compares the effective settings of one component on two nodes: flags and config-file fields. */
import type { Component, Difference, Severity } from '../model/types.js';
import type { NormalizedValue } from '../knowledge/flags.js';
import { type ComponentSettings, type Setting, settingsAlike } from './settings.js';
import { type DiffContext, difference, maxSeverity, sameValue, changeOf } from './types.js';
import { isBootstrapOnly, isOperational } from './policy.js';

export interface Side {
  component: Component | null;
  settings: ComponentSettings;
}

export function compareSettings(name: string | null, left: Side, right: Side, ctx: DiffContext): Difference[] {
  const out: Difference[] = [];
  const admission = name === 'kube-apiserver' ? compareAdmission(left, right, ctx) : undefined;
  if (admission) out.push(admission);
  const rs = right.settings.settings;
  const mayDiffer = settingsAlike(left.settings, right.settings);
  if (mayDiffer !== undefined) {
    compareKeys(name, mayDiffer, admission, left, right, ctx, out);
    return out.length === 0 ? out : collapseItems(out, left, right, ctx);
  }
  // The left side's keys, sorted once (an audit's memo keeps its settings for every node), are the
  // union when the right side has no other key (most of a fleet): counted in passing, not looked for.
  const sorted = (left.settings.sortedKeys ??= [...left.settings.settings.keys()].sort());
  if (compareKeys(name, sorted, admission, left, right, ctx, out) !== rs.size) {
    out.length = admission ? 1 : 0;
    compareKeys(name, [...new Set([...sorted, ...rs.keys()])].sort(), admission, left, right, ctx, out);
  }
  return out.length === 0 ? out : collapseItems(out, left, right, ctx);
}

/** Compares the settings under `keys` (sorted) into `out`; how many of the keys the right side has. */
function compareKeys(
  name: string | null,
  keys: readonly string[],
  admission: Difference | null | undefined,
  left: Side,
  right: Side,
  ctx: DiffContext,
  out: Difference[],
): number {
  const ls = left.settings.settings;
  const rs = right.settings.settings;
  let found = 0;
  // Indexed, and settings alike on both sides (most) passed over here, as compareSetting would.
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const r = rs.get(key);
    if (r !== undefined) found++;
    if (admission !== undefined && ADMISSION_FLAGS.includes(key)) continue;
    const l = ls.get(key);
    if (l !== undefined && r !== undefined) {
      const a = l.value;
      const b = r.value;
      if (a !== null && a !== undefined && b !== null && b !== undefined && (a === b || sameValue(a, b))) continue;
    }
    const d = compareSetting(name, key, l, r, left, right, ctx);
    if (d) out.push(d);
  }
  return found;
}

const ADMISSION_FLAGS = ['--enable-admission-plugins', '--disable-admission-plugins'];

/**
 * kube-apiserver's admission plugins compared as the set in effect (its defaults, plus the enabled,
 * minus the disabled; an old `--admission-control` list replaces the defaults), so naming a plugin
 * that is on by default, or reordering the list, is no difference. Undefined when the knowledge
 * cannot compute the set (the flags then compare one by one); null when the sets are equal.
 */
function compareAdmission(left: Side, right: Side, ctx: DiffContext): Difference | null | undefined {
  const k = ctx.knowledge;
  if (!k.effectiveAdmissionPlugins || !k.defaultAdmissionPlugins) return undefined;
  const flagsOf = (side: Side) => ADMISSION_FLAGS.map((f) => side.settings.settings.get(f));
  const [le, ld] = flagsOf(left);
  const [re, rd] = flagsOf(right);
  if (!le && !ld && !re && !rd) return null;
  const effective = (enable: Setting | undefined, disable: Setting | undefined): string[] => {
    const old = enable?.writtenAs === '--admission-control';
    return (k.effectiveAdmissionPlugins as NonNullable<typeof k.effectiveAdmissionPlugins>)({
      enable: old ? null : enable?.display ?? null,
      admissionControl: old ? enable?.display ?? null : null,
      disable: disable?.display ?? null,
    });
  };
  const lset = effective(le, ld);
  const rset = effective(re, rd);
  const onlyL = lset.filter((p) => !rset.includes(p));
  const onlyR = rset.filter((p) => !lset.includes(p));
  if (onlyL.length === 0 && onlyR.length === 0) return null;

  const defaults = k.defaultAdmissionPlugins();
  const verdictOf = (set: string[]) => {
    const off = defaults.filter((p) => !set.includes(p));
    const verdicts = [
      safe(() => k.securityVerdict('kube-apiserver', '--enable-admission-plugins', set.join(',')), undefined),
      safe(() => k.securityVerdict('kube-apiserver', '--disable-admission-plugins', off.length ? off.join(',') : null), undefined),
    ];
    return verdicts.find((v) => v?.weak) ?? verdicts[0];
  };
  const vl = verdictOf(lset);
  const vr = verdictOf(rset);
  let severity: Severity = onlyL.length ? 'warning' : 'info';
  let reason = '';
  if (vr?.weak && !vl?.weak) {
    severity = maxSeverity(severity, vr.severity);
    reason = `; ${ctx.sides.right} is weaker: ${vr.reason.replace(/[.\s]+$/, '')}`;
  } else if (vl?.weak && !vr?.weak) {
    reason = `; ${ctx.sides.right} is stronger; on ${ctx.sides.left}: ${vl.reason.replace(/[.\s]+$/, '')}`;
  }
  const removed: string[] = [];
  for (const [only, side, label] of [[onlyL, left, ctx.sides.left], [onlyR, right, ctx.sides.right]] as const) {
    const version = side.component?.version ?? null;
    for (const p of only) {
      const gone = safe(() => k.admissionPluginRemovedAt?.(p, version), undefined);
      if (!gone) continue;
      removed.push(`${p} was removed in ${gone.version} (${version ? `${label} runs ${version}: kube-apiserver will not start with it` : `${label}'s version is unknown`})`);
      if (version) severity = maxSeverity(severity, 'warning');
    }
  }
  const parts: string[] = [];
  if (onlyR.length) parts.push(`${ctx.sides.right} also runs ${onlyR.join(', ')}`);
  if (onlyL.length) parts.push(`${ctx.sides.right} does not run ${onlyL.join(', ')}`);
  const written = (e: Setting | undefined, d: Setting | undefined) =>
    [e ? `${e.writtenAs}=${e.display}` : null, d ? `--disable-admission-plugins=${d.display}` : null].filter(Boolean).join(' ') || 'defaults only';
  return difference({
    component: 'kube-apiserver', subject: 'flag', key: '--enable-admission-plugins', change: changeOf(le ?? ld, re ?? rd),
    category: 'security', severity, left: onlyL.length ? onlyL.join(',') : null, right: onlyR.length ? onlyR.join(',') : null,
    message: `kube-apiserver's admission plugins in effect differ: ${parts.join('; ')} (${ctx.sides.left}: ${written(le, ld)}; ${ctx.sides.right}: ${written(re, rd)})${reason}${removed.length ? `; ${removed.join('; ')}` : ''}.`,
  });
}

/**
 * A list item (`keys[key1]`) on one side only is one difference, not one per field it holds: the
 * shortest `...]` prefix of the key that the other side has nothing under stands for them all.
 */
function collapseItems(diffs: Difference[], left: Side, right: Side, ctx: DiffContext): Difference[] {
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
      message: `${ds[0].component ?? 'node'} ${item} is on ${side === 'left' ? ctx.sides.left : ctx.sides.right} only; make them match if the difference is not intended.`,
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
  // Set alike on both sides (most settings): nothing to look up.
  if (l && r && l.value !== null && l.value !== undefined && r.value !== null && r.value !== undefined && sameValue(l.value, r.value)) return null;
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
  const values = `${describe(l, lv, ctx.sides.left)} and ${describe(r, rv, ctx.sides.right)}`;
  const removal = removalNote(comp, l, r, left, right, ctx);
  const floor = (s: Severity): Severity => (removal.escalate ? maxSeverity(s, 'warning') : s);

  // Where a file lives, when both sides name one: what it holds is compared by its role.
  if (l && r && l.isPath && r.isPath && l.display !== '' && r.display !== '') {
    return difference({
      component: name, subject, key, change, category: 'layout', severity: floor('info'), left: leftShown, right: rightShown,
      message: `${what} points at ${quote(l.display)} on ${ctx.sides.left} and ${quote(r.display)} on ${ctx.sides.right}; only the location differs, what the file holds is compared by its role${removal.text}.`,
    });
  }

  // Security: the verdict on each side (right is the node under review), else a flag that guards the node.
  if (isFlag && name) {
    const verdict = (s: Setting | undefined, side: Side) =>
      safe(() => k.securityVerdict(comp, key, s ? rawFor(s) : null, { viaConfigFile: side.settings.viaConfigFile }), undefined);
    const vl = verdict(l, left);
    const vr = verdict(r, right);
    const weakL = vl?.weak === true;
    const weakR = vr?.weak === true;
    const relevant = safe(() => k.isSecurityFlag(comp, key), false);
    // Rules that call neither of two explicit addresses weak (`--etcd-servers`, `--secure-port`) leave a
    // config change; any other value of a flag that guards the node, or a default standing in for an
    // absent one (its meaning may depend on the version), is worth a security review.
    const address = info !== undefined && ADDRESS_TYPES.includes(info.type);
    const review = relevant && !weakL && !weakR && !(vl !== undefined && l && r && address);
    if (weakL || weakR || review) {
      let severity: Severity;
      let reason: string;
      if (weakR && !weakL) {
        severity = vr?.severity ?? 'warning';
        reason = `${ctx.sides.right} is weaker: ${vr?.reason ?? ''}`;
      } else if (weakL && !weakR) {
        severity = 'info';
        reason = `${ctx.sides.right} is stronger; on ${ctx.sides.left}: ${vl?.reason ?? ''}`;
      } else if (weakL && weakR) {
        severity = vr?.severity ?? 'warning';
        reason = `both are weak: ${vr?.reason ?? ''}`;
      } else {
        severity = 'warning';
        reason = 'review the change, this setting guards the node';
      }
      return difference({
        component: name, subject, key, change, category: 'security', severity: floor(severity), left: leftShown, right: rightShown,
        message: `${what} is ${values}; ${reason.replace(/\s+$/, '').replace(/[:.]$/, '')}${removal.text}.`,
      });
    }
  }
  const operational = isFlag && isOperational(name, key);
  const advice = isBootstrapOnly(name, key)
    ? 'etcd reads it only when the member is first created, so it may rightly differ'
    : operational
      ? 'an operational setting (logging, retention, tuning), it changes no behaviour of the cluster'
      : 'make them match if the difference is not intended';
  return difference({
    component: name, subject, key, change, category: 'config', severity: floor(operational ? 'info' : 'warning'), left: leftShown, right: rightShown,
    message: `${what} is ${values}${removal.text}; ${advice}.`,
  });
}

/** The raw value a security verdict reads (the display is the raw value with identity replaced). */
function rawFor(s: Setting): string {
  return s.display;
}

const ADDRESS_TYPES: readonly string[] = ['url-list', 'ip', 'port', 'cidr'];

interface RemovalNote {
  /** `; --insecure-port was removed in 1.24 (right runs v1.31.2)`, or empty. */
  text: string;
  /** A known version runs a flag a release note says is gone: the component will not start. */
  escalate: boolean;
}

/** A note for a flag still set past its removal, judged against the version of the side that sets it. */
function removalNote(comp: string, l: Setting | undefined, r: Setting | undefined, left: Side, right: Side, ctx: DiffContext): RemovalNote {
  const notes: string[] = [];
  let escalate = false;
  let previous: { note: string; text: string; version: string | null; writtenAs: string } | undefined;
  for (const [s, side, label] of [[l, left, ctx.sides.left], [r, right, ctx.sides.right]] as const) {
    if (!s || s.fromFile || !s.writtenAs.startsWith('--')) continue;
    const version = side.component?.version ?? null;
    const gone = safe(() => ctx.knowledge.removedAt(comp, s.writtenAs, version), undefined);
    if (!gone) continue;
    const hidden = gone.evidence === 'reference-drop';
    const text = hidden ? `${s.writtenAs} left the reference in ${gone.version}, removed or hidden` : `${s.writtenAs} was removed in ${gone.version}`;
    if (version && !hidden) escalate = true;
    // Both sides set it and run the same (or no known) version: one note, not the same twice.
    if (previous && previous.text === text && previous.version === version && previous.writtenAs === s.writtenAs) {
      notes[notes.length - 1] = `${text} (${version ? `both run ${version}` : 'the version is unknown on both sides'})`;
      continue;
    }
    const runs = version ? `${label} runs ${version}` : `${label}'s version is unknown`;
    notes.push(`${text} (${runs})`);
    previous = { note: notes[notes.length - 1], text, version, writtenAs: s.writtenAs };
  }
  return { text: notes.length ? `; ${notes.join('; ')}` : '', escalate };
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
