/**
 * The differ: two node models in, one report out. Pure: no I/O, no clock unless one is passed.
 * Pairs components by name, flags by canonical name, certificates and kubeconfigs by role.
 */
import type { Component, DiffReport, DiffSummary, Difference, NodeModel } from '../model/types.js';
import { defaultKnowledge } from './knowledge.js';
import { identityReplacer, nodeIdentity } from './identity.js';
import { componentSettings, type ComponentSettings } from './settings.js';
import { compareSettings } from './settings-compare.js';
import { compareComponent, comparePresence } from './components.js';
import { compareCertificates, compareKubeconfigs } from './certificates.js';
import { type DiffContext, type DiffMemo, type DiffOptions, difference, PLAIN_SIDES } from './types.js';
import { compareText } from '../util/compare.js';

export type { DiffOptions, DiffContext, DiffMemo, SideWords } from './types.js';
export { createDiffMemo } from './types.js';
export type { DiffKnowledge } from './knowledge.js';
export { defaultKnowledge } from './knowledge.js';
export { nodeIdentity, identityReplacer, NODE_IP, NODE_NAME } from './identity.js';

/** A memo valid for this left model and these options, reset when any of them changes. */
function leftMemo(left: NodeModel, knowledge: DiffContext['knowledge'], normalize: boolean, memo: DiffMemo | undefined): DiffMemo | undefined {
  if (!memo) return undefined;
  if (memo.left !== left || memo.knowledge !== knowledge || memo.normalize !== normalize) {
    memo.left = left;
    memo.knowledge = knowledge;
    memo.normalize = normalize;
    memo.identity = undefined;
    memo.settings.clear();
    memo.certificates = undefined;
    memo.kubeconfigs = undefined;
    memo.ids = undefined;
    memo.components = undefined;
  }
  return memo;
}

/** An identity replacer that remembers its answers: the reference's strings come back for every node. */
function remembering(replace: (text: string) => string): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    let out = seen.get(text);
    if (out === undefined) {
      out = replace(text);
      if (seen.size < 50_000) seen.set(text, out);
    }
    return out;
  };
}

export function diffContext(left: NodeModel, right: NodeModel, options: DiffOptions = {}): DiffContext {
  const knowledge = options.knowledge ?? defaultKnowledge;
  const normalize = options.normalizeIdentity !== false;
  const same = (t: string): string => t;
  const memo = leftMemo(left, knowledge, normalize, options.memo);
  let leftIdentity = memo?.identity;
  if (!leftIdentity) {
    leftIdentity = normalize ? identityReplacer(nodeIdentity(left, knowledge)) : same;
    if (memo) leftIdentity = memo.identity = normalize ? remembering(leftIdentity) : same;
  }
  return {
    knowledge,
    sides: options.sides ?? PLAIN_SIDES,
    leftIdentity,
    rightIdentity: normalize ? identityReplacer(nodeIdentity(right, knowledge)) : same,
    expiringDays: options.expiringDays ?? 30,
    now: options.now ?? null,
    ...(memo ? { leftMemo: memo } : {}),
  };
}

/** How two nodes differ in what they do. */
export function diffNodes(left: NodeModel, right: NodeModel, options: DiffOptions = {}): DiffReport {
  const ctx = diffContext(left, right, options);
  const differences: Difference[] = [];
  const lc = byName(left.components);
  const rc = byName(right.components);
  const known = new Set([...lc.keys(), ...rc.keys()]);
  for (const name of [...known].sort()) {
    const l = lc.get(name);
    const r = rc.get(name);
    const presence = comparePresence(name, l, r, ctx.sides);
    if (presence) {
      differences.push(presence);
      continue;
    }
    differences.push(...compareComponent(l as Component, r as Component, ctx));
    differences.push(...compareConfigured(left, right, name, l ?? null, r ?? null, ctx));
  }
  // Config files of no component (or of one that is on neither node) still compare field by field.
  const orphanGroups = new Set<string | null>();
  for (const cfg of [...left.configs, ...right.configs]) {
    const c = cfg.component ?? null;
    if (c === null || !known.has(c)) orphanGroups.add(c);
  }
  for (const group of [...orphanGroups].sort((a, b) => compareText(a ?? '', b ?? ''))) {
    differences.push(...compareConfigured(left, right, group, null, null, ctx));
  }
  differences.push(...compareExtraStaticPods(left, right, ctx));
  differences.push(...compareCertificates(left, right, ctx, known));
  differences.push(...compareKubeconfigs(left, right, ctx, known));
  const kept = withoutRepeats(differences);
  kept.sort(compareDifferences);
  return {
    kdiff: 'report',
    schemaVersion: 1,
    left: { label: options.labels?.left ?? 'left', style: left.style, role: left.role },
    right: { label: options.labels?.right ?? 'right', style: right.style, role: right.role },
    differences: kept,
    summary: summarize(kept),
  };
}

/** Flags and config files of one component (or of a group of config files with no component). */
function compareConfigured(
  left: NodeModel,
  right: NodeModel,
  name: string | null,
  l: Component | null,
  r: Component | null,
  ctx: DiffContext,
): Difference[] {
  let ls = ctx.leftMemo?.settings.get(name) as ComponentSettings | undefined;
  if (!ls) {
    ls = componentSettings(left, l, name, ctx.knowledge, ctx.leftIdentity);
    ctx.leftMemo?.settings.set(name, ls);
  }
  const rs = componentSettings(right, r, name, ctx.knowledge, ctx.rightIdentity);
  const out: Difference[] = [];
  const oneSided = new Set<string>();
  for (const kind of [...new Set([...ls.configKinds.keys(), ...rs.configKinds.keys()])].sort()) {
    const a = ls.configKinds.get(kind);
    const b = rs.configKinds.get(kind);
    if (a && b) {
      // A component's config file is named by a flag, whose own difference already says where it lives.
      if (name !== null) continue;
      const ap = ctx.leftIdentity(a.path);
      const bp = ctx.rightIdentity(b.path);
      if (ap !== bp) {
        out.push(difference({
          component: null, subject: 'file', key: kind, change: 'changed', category: 'layout', severity: 'info', left: ap, right: bp,
          message: `The ${kind} is at ${ap} on ${ctx.sides.left} and ${bp} on ${ctx.sides.right}; only the location differs.`,
        }));
      }
      continue;
    }
    oneSided.add(kind);
    const path = a ? ctx.leftIdentity(a.path) : ctx.rightIdentity((b as { path: string }).path);
    // Named by a flag set on that side only: the flag's own difference says it (--encryption-provider-config).
    const mine = a ? ls : rs;
    const theirs = a ? rs : ls;
    if (name !== null && [...mine.settings.values()].some((s) => s.subject === 'flag' && s.display === path && !theirs.settings.has(s.key))) continue;
    out.push(difference({
      component: name, subject: 'file', key: kind, change: a ? 'removed' : 'added', category: 'config', severity: 'warning',
      left: a ? path : null, right: b ? path : null,
      message: `Only ${a ? ctx.sides.left : ctx.sides.right} has a ${kind} (${path})${name ? ` for ${name}` : ''}; its settings apply on that side only.`,
    }));
  }
  for (const d of compareSettings(name, { component: l, settings: ls }, { component: r, settings: rs }, ctx)) {
    // A file on one side only is one difference, not one per field it holds.
    if (d.subject === 'config' && [...oneSided].some((k) => d.key.startsWith(`${k}.`))) continue;
    out.push(d);
  }
  return out;
}

/**
 * One fact, one difference. A certificate or kubeconfig a flag's difference already shows is not
 * repeated: moved (`--tls-cert-file` names both paths) or named on one side only
 * (`--proxy-client-cert-file`). The certificates and kubeconfigs of a component that runs on one
 * side only belong to that component's presence difference.
 */
function withoutRepeats(differences: readonly Difference[]): Difference[] {
  // Most nodes of a fleet: nothing to fold.
  if (differences.length === 0) return [];
  // Paths named by flags: moved (both sides), or set on one side only.
  const moved = { left: new Set<string>(), right: new Set<string>() };
  const named = { removed: new Set<string>(), added: new Set<string>() };
  for (const d of differences) {
    if (d.subject !== 'flag') continue;
    if (d.category === 'layout' && typeof d.left === 'string' && typeof d.right === 'string') {
      moved.left.add(d.left);
      moved.right.add(d.right);
    } else if (d.change === 'removed' && typeof d.left === 'string') named.removed.add(d.left);
    else if (d.change === 'added' && typeof d.right === 'string') named.added.add(d.right);
  }
  const paths = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? v.split(', ') : []);
  const all = (v: unknown, set: Set<string>) => paths(v).length > 0 && paths(v).every((p) => set.has(p));
  const shownByFlags = (d: Difference): boolean => {
    if (d.subject !== 'certificate' && d.subject !== 'kubeconfig') return false;
    if (d.category === 'layout') return all(d.left, moved.left) && all(d.right, moved.right);
    if (d.change === 'removed') return all(d.left, named.removed);
    if (d.change === 'added') return all(d.right, named.added);
    return false;
  };
  const oneSided = new Map<string, Difference>();
  for (const d of differences) if (d.subject === 'component' && d.category === 'presence' && d.key === d.component) oneSided.set(d.key, d);
  const folded = new Map<string, string[]>();
  const out: Difference[] = [];
  for (const d of differences) {
    if (shownByFlags(d)) continue;
    const owner = d.component !== null ? oneSided.get(d.component) : undefined;
    if (owner && (d.subject === 'certificate' || d.subject === 'kubeconfig') && d.change === owner.change) {
      folded.set(owner.key, [...(folded.get(owner.key) ?? []), `${d.key} (${String(d.left ?? d.right)})`]);
      continue;
    }
    out.push(d);
  }
  return out.map((d) => {
    const items = d.subject === 'component' && d.category === 'presence' ? folded.get(d.key) : undefined;
    return items ? { ...d, message: d.message.replace(/\.$/, `; with it go its ${items.join(', ')}.`) } : d;
  });
}

function compareExtraStaticPods(left: NodeModel, right: NodeModel, ctx: DiffContext): Difference[] {
  const out: Difference[] = [];
  if (left.extraStaticPods.length === 0 && right.extraStaticPods.length === 0) return out;
  const l = new Map(left.extraStaticPods.map((p) => [p.name, p]));
  const r = new Map(right.extraStaticPods.map((p) => [p.name, p]));
  for (const name of [...new Set([...l.keys(), ...r.keys()])].sort()) {
    const a = l.get(name);
    const b = r.get(name);
    if (a && b) continue;
    out.push(difference({
      component: name, subject: 'component', key: name, change: a ? 'removed' : 'added', category: 'presence', severity: 'info',
      left: a ? a.path : null, right: b ? b.path : null,
      message: `The static pod ${name} runs on ${a ? ctx.sides.left : ctx.sides.right} only (${(a ?? b)?.path}); check whether the other node needs it.`,
    }));
  }
  return out;
}

function byName(components: readonly Component[]): Map<string, Component> {
  const m = new Map<string, Component>();
  for (const c of components) if (!m.has(c.name)) m.set(c.name, c);
  return m;
}

const SUBJECT_ORDER = ['component', 'run-mode', 'version', 'enabled', 'flag', 'config', 'file', 'certificate', 'kubeconfig', 'node'];

/** Deterministic order: by component (node-wide last), subject, key, category, change, message. */
export function compareDifferences(a: Difference, b: Difference): number {
  const ca = a.component ?? '\uffff';
  const cb = b.component ?? '\uffff';
  if (ca !== cb) return ca < cb ? -1 : 1;
  const sa = SUBJECT_ORDER.indexOf(a.subject);
  const sb = SUBJECT_ORDER.indexOf(b.subject);
  if (sa !== sb) return sa - sb;
  for (const f of ['key', 'category', 'change', 'message'] as const) {
    if (a[f] !== b[f]) return a[f] < b[f] ? -1 : 1;
  }
  return 0;
}

export function summarize(differences: readonly Difference[]): DiffSummary {
  if (differences.length === 0) return { differences: 0, byCategory: {}, bySeverity: {} };
  const byCategory: Record<string, number> = {};
  const bySeverity: Record<string, number> = {};
  for (const d of differences) {
    byCategory[d.category] = (byCategory[d.category] ?? 0) + 1;
    bySeverity[d.severity] = (bySeverity[d.severity] ?? 0) + 1;
  }
  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { differences: differences.length, byCategory: sorted(byCategory), bySeverity: sorted(bySeverity) };
}
