/**
 * Flag knowledge: types, defaults, renames, removals, security meaning. Owned by helper D; placeholder API.
 */
export type FlagType =
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'path'
  | 'duration'
  | 'url-list'
  | 'set'
  | 'list'
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
  /** KubeletConfiguration / KubeProxyConfiguration field this flag mirrors. */
  configField: string | null;
  deprecated: string | null;
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
