/**
 * Flag knowledge: types, defaults, renames, removals, security meaning, config-file mirrors.
 * Owned by helper D ("knowledge"); this file fixes the API others code against. Placeholder bodies.
 */
import type { Severity } from '../model/types.js';

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
  /** Default as the reference documents it, normalized; null when none. */
  default: string | null;
  /** KubeletConfiguration / KubeProxyConfiguration field this flag mirrors (dotted path). */
  configField: string | null;
  deprecated: string | null;
  /** Where the fact comes from (reference file and version). */
  source: string;
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
}

/** A value compared by meaning: what `--flag` = `--flag=true`, `1h` = `60m`, sets sorted come to. */
export type NormalizedValue = string | string[] | Record<string, string>;

export interface SecurityVerdict {
  /** True when this value weakens the node (anonymous auth on, AlwaysAllow, insecure port...). */
  weak: boolean;
  severity: Severity;
  /** One sentence: why it matters. */
  reason: string;
}

/** What is known of a flag of a component, looked up by any of its names (old names included). */
export function flagInfo(component: string, flag: string): FlagInfo | undefined {
  void component;
  void flag;
  return undefined;
}

/** True when the flag takes no value (`--client-cert-auth`), so `--flag word` does not eat `word`. */
export function isBooleanFlag(component: string, flag: string): boolean {
  return flagInfo(component, flag)?.type === 'bool';
}

/** The current name of a flag (`--admission-control` -> `--enable-admission-plugins`). */
export function canonicalFlagName(component: string, flag: string): string {
  return flagInfo(component, flag)?.name ?? flag;
}

/** Rename/removal/deprecation facts for a flag (by any name), oldest first. */
export function flagLifecycle(component: string, flag: string): FlagLifecycle[] {
  void component;
  void flag;
  return [];
}

/**
 * The removal that applies to a flag at a component version (`v1.31.2`), or undefined.
 * With an unknown version (null), the earliest known removal is returned.
 */
export function removedAt(component: string, flag: string, version: string | null): FlagLifecycle | undefined {
  void component;
  void flag;
  void version;
  return undefined;
}

/** The value by meaning: bools `true`/`false`, durations in seconds, sets sorted, maps as objects, quotes gone. */
export function normalizeFlagValue(component: string, flag: string, value: string): NormalizedValue {
  void component;
  void flag;
  return value;
}

/**
 * The value a component uses when the flag is absent, normalized; null when unknown.
 * `viaConfigFile`: the kubelet/kube-proxy runs with --config, so an unset setting takes the
 * config file's default (readOnlyPort 0), not the flag's (10255).
 */
export function effectiveDefault(component: string, flag: string, options: { viaConfigFile?: boolean } = {}): NormalizedValue | null {
  void component;
  void flag;
  void options;
  return null;
}

/** Security meaning of a flag's value (null value = flag absent, default applies); undefined when the flag has none. */
export function securityVerdict(component: string, flag: string, value: string | null): SecurityVerdict | undefined {
  void component;
  void flag;
  void value;
  return undefined;
}

/** True for flags whose change is a security matter even when no single value is "weak" (--authorization-mode, --tls-min-version...). */
export function isSecurityFlag(component: string, flag: string): boolean {
  void component;
  void flag;
  return false;
}

/** The flag a config-file field mirrors: (`KubeletConfiguration`, `readOnlyPort`) -> `--read-only-port`. */
export function flagForConfigField(kind: string, field: string): string | undefined {
  void kind;
  void field;
  return undefined;
}
