/**
 * Flag knowledge: types, defaults, renames, removals, security meaning, config-file mirrors.
 * The facts are data (data/reference/, compiled by scripts/gen-knowledge.mjs into
 * src/knowledge/data/knowledge.json): Kubernetes v1.31 references for kube-apiserver,
 * kube-controller-manager, kube-scheduler and kube-proxy, v1.30 for the kubelet, etcd v3.5.
 */
import type { Severity } from '../model/types.js';
import { knowledge, type ComponentEntry, type FactEntry, type FlagEntry, type RuleEntry } from './data.js';
import {
  normalizeBool,
  normalizeCIDR,
  normalizeDuration,
  normalizeFloat,
  normalizeInt,
  normalizeIP,
  normalizeList,
  normalizeMap,
  normalizePath,
  normalizeQuantity,
  normalizeSet,
  normalizeURLList,
  unquote,
  type ElementKind,
} from './normalize.js';

export type FlagType =
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'path'
  | 'duration'
  | 'url-list'
  /** order does not matter: --enable-admission-plugins, --tls-cipher-suites */
  | 'set'
  /** order matters: --authorization-mode */
  | 'list'
  /** key=value pairs, order does not matter: --feature-gates, --runtime-config */
  | 'map'
  | 'cidr'
  | 'port'
  | 'ip'
  | 'quantity';

export interface FlagInfo {
  component: string;
  /** Canonical (current) name. */
  name: string;
  type: FlagType;
  /**
   * Default, normalized, as text (sets and lists comma-joined, maps `k=v` comma-joined); null when
   * unknown. Where the reference prints none, pflag's zero value for the type (`false`, `0`, `0s`, ``).
   */
  default: string | null;
  /** KubeletConfiguration / KubeProxyConfiguration field this flag mirrors (dotted path, without the kind). */
  configField: string | null;
  deprecated: string | null;
  /** Where the fact comes from (reference file and version). */
  source: string;
  /** The config kind of `configField`: `KubeletConfiguration`, `KubeProxyConfiguration`. */
  configKind?: string;
  /** True when the current reference no longer lists the flag (known from older releases only). */
  legacy?: boolean;
  /** Where the default comes from: the reference, kdiff's curated tables, pflag's zero value. */
  defaultFrom?: 'reference' | 'curated' | 'zero-value' | 'unknown';
  /** Reference version the facts describe (`v1.31`, `v3.5.33`). */
  referenceVersion?: string;
}

/** A flag that went away, or was renamed, with the release it happened in. */
export interface FlagLifecycle {
  component: string;
  flag: string;
  change: 'renamed' | 'removed' | 'deprecated';
  replacement: string | null;
  /** Kubernetes minor (`1.24`) or etcd minor for etcd. */
  version: string;
  source: string;
  /**
   * How sure: `release-note` (a release note says so), `reference-drop` (the flag left the generated
   * reference in that release: removed, or hidden while still accepted), `curated` (kdiff's tables).
   */
  evidence?: 'release-note' | 'reference-drop' | 'curated';
  note?: string;
}

/** A value compared by meaning: what `--flag` = `--flag=true`, `1h` = `60m`, sets sorted come to. */
export type NormalizedValue = string | string[] | Record<string, string>;

export interface SecurityVerdict {
  /** True when this value weakens the node (anonymous auth on, AlwaysAllow, insecure port...). */
  weak: boolean;
  severity: Severity;
  /** One sentence: why it matters. */
  reason: string;
  /** The benchmark check or rule behind the verdict (`CIS cis-1.9 1.2.1`). */
  basis?: string;
}

export interface DefaultOptions {
  /** The kubelet runs with --config: unset settings take the config file's defaults. */
  viaConfigFile?: boolean;
}

interface Resolved {
  comp: ComponentEntry;
  /** Canonical name. */
  name: string;
  entry: FlagEntry;
  legacy: boolean;
}

/*
 * Lookups by component, then flag name as written: every node of a fleet asks for the same few
 * hundred. Nested maps, so that no key is built per lookup; bounded, since the names come from
 * untrusted input (past the bound, names are looked up every time).
 */
const resolvedCache = new Map<string, Map<string, Resolved | null>>();
const infoCache = new Map<string, Map<string, FlagInfo>>();
const MAX_CACHED_COMPONENTS = 64;
const MAX_CACHED_FLAGS = 4096;

function cacheOf<V>(cache: Map<string, Map<string, V>>, component: string): Map<string, V> | undefined {
  let m = cache.get(component);
  if (!m && cache.size < MAX_CACHED_COMPONENTS) cache.set(component, (m = new Map()));
  return m;
}

/** `-v` / `v` / `--v` -> `--v`; a `--flag=value` is cut at `=`. */
function spell(comp: ComponentEntry, flag: string): string {
  let f = flag.trim();
  const eq = f.indexOf('=');
  if (eq > 0) f = f.slice(0, eq);
  if (f.startsWith('--')) return f;
  if (f.startsWith('-')) return comp.shorthands[f] ?? `-${f}`;
  return `--${f}`;
}

function resolveOne(comp: ComponentEntry, name: string): Resolved | undefined {
  const current = comp.flags[name];
  if (current) return { comp, name, entry: current, legacy: false };
  const alias = comp.aliases[name];
  if (alias && comp.flags[alias]) return { comp, name: alias, entry: comp.flags[alias], legacy: false };
  const old = comp.legacy[name];
  if (old) return { comp, name, entry: old, legacy: true };
  return undefined;
}

function resolve(component: string, flag: string): Resolved | undefined {
  const cache = cacheOf(resolvedCache, component);
  const hit = cache?.get(flag);
  if (hit !== undefined) return hit ?? undefined;
  const comp = knowledge().components[component];
  let found: Resolved | undefined;
  if (comp) {
    const name = spell(comp, flag);
    // klog and kube-proxy spell some flags with `_`; pflag's normalizer treats `_` as `-`
    found =
      resolveOne(comp, name) ??
      resolveOne(comp, `--${name.slice(2).replace(/_/g, '-')}`) ??
      resolveOne(comp, `--${name.slice(2).replace(/-/g, '_')}`);
  }
  if (cache && cache.size < MAX_CACHED_FLAGS) cache.set(flag, found ?? null);
  return found;
}

function valueOf(type: FlagType, entry: FlagEntry | undefined, value: string): NormalizedValue {
  const element = entry?.element as ElementKind | undefined;
  switch (type) {
    case 'bool':
      return normalizeBool(value);
    case 'int':
    case 'port':
      return normalizeInt(value);
    case 'float':
      return normalizeFloat(value);
    case 'duration':
      return normalizeDuration(value);
    case 'quantity':
      return normalizeQuantity(value);
    case 'cidr':
      return normalizeCIDR(value);
    case 'ip':
      return normalizeIP(value);
    case 'path':
      return normalizePath(value);
    case 'url-list':
      return normalizeURLList(value);
    case 'set':
      return normalizeSet(value, element);
    case 'list':
      return normalizeList(value, element);
    case 'map':
      return normalizeMap(
        value,
        (entry?.values ?? (entry?.pflag === 'mapStringBool' ? 'bool' : undefined)) as ElementKind | undefined,
        entry?.pflag === 'colonSeparatedMultimapStringString' ? ':' : '=',
      );
    default:
      return unquote(value);
  }
}

function asText(value: NormalizedValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(',');
  return Object.entries(value)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function sourceOf(r: Resolved): string {
  if (!r.legacy) return r.entry.line ? `${r.comp.source}, line ${r.entry.line}` : r.comp.source;
  const why = r.entry.typeFrom === 'curated' ? 'type curated' : 'type from the name';
  return `data/reference/curated/types.yaml (legacy flag, ${why}); lifecycle: data/reference/lifecycle.yaml, reference-drops.yaml`;
}

/** What is known of a flag of a component, looked up by any of its names (old names included). */
export function flagInfo(component: string, flag: string): FlagInfo | undefined {
  const r = resolve(component, flag);
  if (!r) return undefined;
  const cache = cacheOf(infoCache, component);
  let info = cache?.get(r.name);
  if (!info) {
    const type = r.entry.type as FlagType;
    const field = r.entry.configField ?? null;
    const dot = field ? field.indexOf('.') : -1;
    info = {
      component,
      name: r.name,
      type,
      default: r.entry.default === null ? null : asText(valueOf(type, r.entry, r.entry.default)),
      configField: field ? field.slice(dot + 1) : null,
      deprecated: r.entry.deprecated ?? null,
      source: sourceOf(r),
      defaultFrom: r.entry.defaultFrom,
      referenceVersion: r.comp.version,
    };
    if (field) info.configKind = field.slice(0, dot);
    if (r.legacy) info.legacy = true;
    Object.freeze(info);
    if (cache && cache.size < MAX_CACHED_FLAGS) cache.set(r.name, info);
  }
  return info;
}

/** True when the flag takes no value (`--client-cert-auth`), so `--flag word` does not eat `word`. */
export function isBooleanFlag(component: string, flag: string): boolean {
  return flagInfo(component, flag)?.type === 'bool';
}

/** The current name of a flag (`--admission-control` -> `--enable-admission-plugins`). */
export function canonicalFlagName(component: string, flag: string): string {
  return flagInfo(component, flag)?.name ?? flag;
}

function toLifecycle(component: string, flag: string, f: FactEntry): FlagLifecycle {
  const out: FlagLifecycle = {
    component,
    flag,
    change: f.change,
    replacement: f.replacement,
    version: f.version,
    source: f.source,
    evidence: f.evidence,
  };
  if (f.note) out.note = f.note;
  return out;
}

/** The name as the lifecycle data keys it: the spelling given, else its `_`/`-` twin. */
function lifecycleKey(comp: ComponentEntry, flag: string): string {
  const name = spell(comp, flag);
  if (comp.lifecycle[name]) return name;
  const dashed = `--${name.slice(2).replace(/_/g, '-')}`;
  return comp.lifecycle[dashed] ? dashed : name;
}

/**
 * Rename/removal/deprecation facts for a flag (by any name), oldest first. For a current name, the
 * facts of its old names (`--enable-admission-plugins` <- `--admission-control`) are included.
 */
export function flagLifecycle(component: string, flag: string): FlagLifecycle[] {
  const comp = knowledge().components[component];
  if (!comp) return [];
  const key = lifecycleKey(comp, flag);
  const out = (comp.lifecycle[key] ?? []).map((f) => toLifecycle(component, key, f));
  for (const [from, to] of Object.entries(comp.aliases)) {
    if (to !== key || from === key) continue;
    for (const f of comp.lifecycle[from] ?? []) out.push(toLifecycle(component, from, f));
  }
  out.sort((a, b) => compareMinor(a.version, b.version));
  return out;
}

/** `v1.31.2`, `1.24`, `3.5.9-0` -> [1, 31]; undefined when no major.minor is found. */
export function parseMinor(version: string): [number, number] | undefined {
  const m = /^\s*v?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compareMinor(a: string, b: string): number {
  const x = parseMinor(a) ?? [0, 0];
  const y = parseMinor(b) ?? [0, 0];
  return x[0] - y[0] || x[1] - y[1];
}

/**
 * The removal that applies to a flag at a component version (`v1.31.2`), or undefined.
 * With an unknown version (null), the earliest known removal is returned.
 * Only facts about the name as written count: `--enable-admission-plugins` is not removed because
 * `--admission-control` was.
 */
export function removedAt(component: string, flag: string, version: string | null): FlagLifecycle | undefined {
  const comp = knowledge().components[component];
  if (!comp) return undefined;
  const key = lifecycleKey(comp, flag);
  const removals = (comp.lifecycle[key] ?? []).filter((f) => f.change === 'removed');
  removals.sort((a, b) => compareMinor(a.version, b.version));
  const hit = removals.find((f) => appliesAt(f.version, version));
  return hit ? toLifecycle(component, key, hit) : undefined;
}

/** A change made in `changed` applies to a node at `version`; an unknown or unparsable version takes every change. */
function appliesAt(changed: string, version: string | null): boolean {
  const at = version === null ? undefined : parseMinor(version);
  return at === undefined || compareMinor(changed, `${at[0]}.${at[1]}`) <= 0;
}

/** The value by meaning: bools `true`/`false`, durations in seconds, sets sorted, maps as objects, quotes gone. */
export function normalizeFlagValue(component: string, flag: string, value: string): NormalizedValue {
  const r = resolve(component, flag);
  return valueOf((r?.entry.type as FlagType | undefined) ?? 'string', r?.entry, value);
}

/**
 * The value a component uses when the flag is absent, normalized; null when unknown.
 * `viaConfigFile`: the kubelet/kube-proxy runs with --config, so an unset setting takes the
 * config file's default (readOnlyPort 0), not the flag's (10255).
 */
export function effectiveDefault(component: string, flag: string, options: DefaultOptions = {}): NormalizedValue | null {
  const r = resolve(component, flag);
  if (!r) return null;
  if (options.viaConfigFile) {
    const fileDefault = knowledge().configFileDefaults[component]?.flags[r.name];
    if (fileDefault) return valueOf(r.entry.type as FlagType, r.entry, fileDefault.fileDefault);
  }
  return r.entry.default === null ? null : valueOf(r.entry.type as FlagType, r.entry, r.entry.default);
}

const TLS_RANK: Record<string, number> = {
  VersionTLS10: 10,
  VersionTLS11: 11,
  VersionTLS12: 12,
  VersionTLS13: 13,
  'TLS1.0': 10,
  'TLS1.1': 11,
  'TLS1.2': 12,
  'TLS1.3': 13,
};

const regexCache = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source);
    regexCache.set(source, re);
  }
  return re;
}

function isEmpty(value: NormalizedValue): boolean {
  if (typeof value === 'string') return value === '';
  if (Array.isArray(value)) return value.length === 0;
  return Object.keys(value).length === 0;
}

function matchesRule(rule: RuleEntry, value: NormalizedValue, absent: boolean): boolean {
  if (rule.absent !== undefined) return rule.absent === absent;
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : Object.keys(value);
  const text = asText(value);
  if (rule.equals !== undefined) return text === rule.equals;
  if (rule.notEquals !== undefined) return text !== rule.notEquals;
  if (rule.contains !== undefined) return items.includes(rule.contains);
  if (rule.lacks !== undefined) return !items.includes(rule.lacks);
  if (rule.matches !== undefined) return items.some((i) => regex(rule.matches as string).test(i));
  if (rule.tlsBelow !== undefined) {
    const have = TLS_RANK[text];
    return have !== undefined && have < (TLS_RANK[rule.tlsBelow] ?? 0);
  }
  return false;
}

/**
 * Security meaning of a flag's value (null value = flag absent, default applies); undefined when the flag has none.
 * A flag set to an empty value counts as absent. `viaConfigFile` as for effectiveDefault.
 * Rules look at one flag: `--authorization-mode` absent reads as AlwaysAllow even when
 * `--authorization-config` is set, and the caller should not ask then.
 */
export function securityVerdict(
  component: string,
  flag: string,
  value: string | null,
  options: DefaultOptions = {},
): SecurityVerdict | undefined {
  const r = resolve(component, flag);
  if (!r) return undefined;
  const rules = r.comp.security[r.name];
  if (!rules) return undefined;
  const basis = rules.cis === 'kdiff' ? 'kdiff' : `CIS Kubernetes Benchmark (kube-bench ${rules.cis})`;
  const fine: SecurityVerdict = { weak: false, severity: 'info', reason: rules.about, basis };
  let normalized: NormalizedValue | null = value === null ? null : valueOf(r.entry.type as FlagType, r.entry, value);
  const absent = normalized === null || isEmpty(normalized);
  if (absent) {
    const absentRule = rules.weak.find((w) => w.absent === true);
    if (absentRule) return { weak: true, severity: absentRule.severity, reason: absentRule.reason, basis };
    if (rules.whenAbsent === 'fine') return fine;
    normalized = effectiveDefault(component, r.name, options);
    if (normalized === null) return fine;
  }
  for (const rule of rules.weak) {
    if (rule.absent !== undefined && absent) continue;
    if (matchesRule(rule, normalized as NormalizedValue, false)) {
      return { weak: true, severity: rule.severity, reason: rule.reason, basis };
    }
  }
  return fine;
}

/** True for flags whose change is a security matter even when no single value is "weak" (--authorization-mode, --tls-min-version...). */
export function isSecurityFlag(component: string, flag: string): boolean {
  const r = resolve(component, flag);
  if (!r) return false;
  return r.comp.security[r.name] !== undefined || r.comp.securityRelevant.includes(r.name);
}

/** The flag a config-file field mirrors: (`KubeletConfiguration`, `readOnlyPort`) -> `--read-only-port`. */
export function flagForConfigField(kind: string, field: string): string | undefined {
  return knowledge().configFields[kind]?.[field];
}

/** The config-file field a flag mirrors, with its kind: (`kubelet`, `--read-only-port`) -> KubeletConfiguration readOnlyPort. */
export function configFieldForFlag(component: string, flag: string): { kind: string; field: string } | undefined {
  const info = flagInfo(component, flag);
  return info?.configField && info.configKind ? { kind: info.configKind, field: info.configField } : undefined;
}

/** Canonical names of the flags the reference documents for a component (current names only), sorted. */
export function knownFlags(component: string): string[] {
  const comp = knowledge().components[component];
  return comp ? Object.keys(comp.flags) : [];
}

/** The reference a component's facts come from: (`kube-apiserver`) -> { version: 'v1.31', source }. */
export function referenceFor(component: string): { version: string; source: string } | undefined {
  const comp = knowledge().components[component];
  return comp ? { version: comp.version, source: comp.source } : undefined;
}

/** The admission plugins kube-apiserver enables when no flag says otherwise (v1.31), sorted. */
export function defaultAdmissionPlugins(): readonly string[] {
  return knowledge().admissionPlugins.defaultEnabled;
}

/**
 * The admission plugins in effect: the defaults, plus --enable-admission-plugins, minus
 * --disable-admission-plugins. An old `--admission-control` list replaced the defaults outright.
 */
export function effectiveAdmissionPlugins(flags: {
  enable?: string | null;
  disable?: string | null;
  admissionControl?: string | null;
}): string[] {
  const on = new Set(flags.admissionControl != null ? normalizeSet(flags.admissionControl) : defaultAdmissionPlugins());
  for (const p of normalizeSet(flags.enable ?? '')) on.add(p);
  for (const p of normalizeSet(flags.disable ?? '')) on.delete(p);
  return [...on].sort();
}

/** Lifecycle facts of a kube-apiserver admission plugin (`Initializers`, `PodSecurityPolicy`), oldest first. */
export function admissionPluginLifecycle(plugin: string): FlagLifecycle[] {
  return (knowledge().admissionPlugins.lifecycle[plugin] ?? []).map((f) => toLifecycle('kube-apiserver', plugin, f));
}

/** The removal of an admission plugin that applies at a kube-apiserver version, as removedAt does for flags. */
export function admissionPluginRemovedAt(plugin: string, version: string | null): FlagLifecycle | undefined {
  return admissionPluginLifecycle(plugin).find((f) => f.change === 'removed' && appliesAt(f.version, version));
}
