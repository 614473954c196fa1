/**
 * A node as the differ sees it, one sorted line per setting, grouped by component: what `--unified`
 * diffs. Settings are normalized (canonical flag names, values by meaning, identity replaced).
 */
import type { NodeModel } from '../model/types.js';
import { defaultKnowledge } from './knowledge.js';
import { identityReplacer, nodeIdentity } from './identity.js';
import { componentSettings } from './settings.js';
import { componentOfRole } from './certificates.js';
import { type DiffOptions, sameValue } from './types.js';

/** Section name (a component, or `(node)` for what belongs to no component) -> lines. */
export type NormalizedView = Record<string, string[]>;

export const NODE_SECTION = '(node)';

export function normalizedView(node: NodeModel, options: Pick<DiffOptions, 'knowledge' | 'normalizeIdentity'> = {}): NormalizedView {
  const k = options.knowledge ?? defaultKnowledge;
  const id = options.normalizeIdentity === false ? (t: string) => t : identityReplacer(nodeIdentity(node, k));
  const view: Record<string, string[]> = {};
  const add = (section: string, line: string) => (view[section] ??= []).push(line);
  const known = new Set(node.components.map((c) => c.name));
  for (const c of node.components) {
    add(c.name, `runMode: ${c.runMode}`);
    if (c.version) add(c.name, `version: ${c.version}`);
    if (c.enabled !== null) add(c.name, `enabled: ${c.enabled}`);
    if (c.image) add(c.name, `image: ${c.image}`);
    if (c.binary) add(c.name, `binary: ${c.binary}`);
    if (c.args?.length) add(c.name, `args: ${c.args.map(id).join(' ')}`);
  }
  const groups = new Set<string | null>([...known, ...node.configs.map((c) => c.component ?? null)]);
  for (const g of groups) {
    const comp = g === null ? null : node.components.find((c) => c.name === g) ?? null;
    const { settings, viaConfigFile } = componentSettings(node, comp, g, k, id);
    for (const s of [...settings.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      // A setting at its default is the setting absent: it is no line of its own.
      if (g !== null && s.subject === 'flag' && sameValue(k.effectiveDefault(g, s.key, { viaConfigFile }), s.value)) continue;
      add(g ?? NODE_SECTION, `${s.key}: ${s.isPath ? s.display : showValue(s.value)}${s.fromFile && s.subject === 'flag' ? '  # from config file' : ''}`);
    }
  }
  const api = node.components.find((c) => c.name === 'kube-apiserver');
  if (api && k.effectiveAdmissionPlugins) {
    // What the differ compares: the plugins in effect, not the list as written.
    const { settings } = componentSettings(node, api, api.name, k, id);
    const enable = settings.get('--enable-admission-plugins');
    const old = enable?.writtenAs === '--admission-control';
    const set = k.effectiveAdmissionPlugins({
      enable: old ? null : enable?.display ?? null,
      admissionControl: old ? enable?.display ?? null : null,
      disable: settings.get('--disable-admission-plugins')?.display ?? null,
    });
    // Relative to the defaults, which depend on the version: `+` turned on, `-` turned off.
    const defaults = k.defaultAdmissionPlugins?.() ?? [];
    const delta = [...set.filter((p) => !defaults.includes(p)).map((p) => `+${p}`), ...defaults.filter((p) => !set.includes(p)).map((p) => `-${p}`)];
    add(api.name, `admission plugins in effect: defaults${delta.length ? ` ${delta.join(',')}` : ''}`);
  }
  for (const cert of node.certificates) {
    // A bundle's further certificates belong to its file's line (the differ compares them so).
    if (cert.roles.length === 0 && /#\d+$/.test(cert.path)) continue;
    for (const role of cert.roles.length ? cert.roles : [`path:${id(cert.path)}`]) {
      const section = componentOfRole(role, known) ?? NODE_SECTION;
      const sans = [...new Set(cert.sans.map(id))].sort().join(',');
      add(section, `certificate ${role}: subject=${id(cert.subject)} issuer=${id(cert.issuer)} sans=${sans || '-'} key=${cert.publicKey} status=${cert.status} path=${id(cert.path)}`);
    }
  }
  for (const kc of node.kubeconfigs) {
    for (const role of kc.roles.length ? kc.roles : [`path:${id(kc.path)}`]) {
      const section = componentOfRole(role, known) ?? NODE_SECTION;
      add(section, `kubeconfig ${role}: server=${kc.server ? id(kc.server) : '-'} user=${kc.user ? id(kc.user) : '-'} auth=${kc.auth} path=${id(kc.path)}`);
    }
  }
  for (const lines of Object.values(view)) lines.sort();
  return Object.fromEntries(Object.entries(view).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function showValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(showValue).join(',');
  if (v && typeof v === 'object') {
    return Object.keys(v).sort().map((key) => `${key}=${showValue((v as Record<string, unknown>)[key])}`).join(',');
  }
  return String(v);
}
