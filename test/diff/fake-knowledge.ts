/**
 * A small stand-in for the knowledge module, same shape, so the differ's comparison logic is tested
 * on its own. Facts are taken from the upstream references (see /work/shared/reference), trimmed.
 */
import type { DiffKnowledge } from '../../src/diff/knowledge.js';
import type { FlagInfo, FlagType, NormalizedValue, SecurityVerdict } from '../../src/knowledge/flags.js';

interface Fact {
  type: FlagType;
  default?: string;
  configDefault?: string;
  configField?: string;
  security?: (value: string | null) => SecurityVerdict | undefined;
  securityFlag?: boolean;
  removed?: string;
  oldNames?: string[];
}

const weakWhen = (pred: (v: string) => boolean, severity: SecurityVerdict['severity'], reason: string) =>
  (v: string | null): SecurityVerdict | undefined => (v === null ? undefined : { weak: pred(v), severity, reason });

const FACTS: Record<string, Record<string, Fact>> = {
  'kube-apiserver': {
    '--enable-admission-plugins': { type: 'set', oldNames: ['--admission-control'], securityFlag: true },
    '--authorization-mode': { type: 'list', default: 'AlwaysAllow', securityFlag: true, security: (v) => ({ weak: (v ?? 'AlwaysAllow').split(',').includes('AlwaysAllow'), severity: 'error', reason: 'AlwaysAllow lets every request through' }) },
    '--anonymous-auth': { type: 'bool', default: 'true', security: (v) => ({ weak: (v ?? 'true') === 'true', severity: 'warning', reason: 'anonymous requests reach the API; set --anonymous-auth=false.' }) },
    '--insecure-port': { type: 'port', default: '0', removed: '1.24', security: weakWhen((v) => v !== '0', 'error', 'the insecure port serves the API without authentication') },
    '--tls-cert-file': { type: 'path' },
    '--event-ttl': { type: 'duration', default: '1h' },
    '--advertise-address': { type: 'ip' },
    '--etcd-servers': { type: 'url-list' },
    '--v': { type: 'int', default: '0' },
  },
  kubelet: {
    '--read-only-port': { type: 'port', default: '10255', configDefault: '0', configField: 'readOnlyPort', security: (v) => ({ weak: (v ?? '10255') !== '0', severity: 'warning', reason: 'the read-only port serves pod and node data without authentication' }) },
    '--anonymous-auth': { type: 'bool', default: 'true', configField: 'authentication.anonymous.enabled', security: (v) => ({ weak: (v ?? 'true') === 'true', severity: 'error', reason: 'anonymous requests reach the kubelet API' }) },
    '--feature-gates': { type: 'map', configField: 'featureGates' },
    '--cluster-dns': { type: 'set', configField: 'clusterDNS' },
    '--runtime-request-timeout': { type: 'duration', default: '2m', configField: 'runtimeRequestTimeout' },
    '--config': { type: 'path' },
    '--kubeconfig': { type: 'path' },
    '--hostname-override': { type: 'string' },
    '--node-ip': { type: 'ip' },
    '--cgroup-driver': { type: 'string', default: 'cgroupfs', configField: 'cgroupDriver' },
    '--tls-cert-file': { type: 'path', configField: 'tlsCertFile' },
  },
};

function find(component: string, flag: string): [string, Fact] | undefined {
  const table = FACTS[component] ?? {};
  if (table[flag]) return [flag, table[flag]];
  for (const [name, f] of Object.entries(table)) if (f.oldNames?.includes(flag)) return [name, f];
  return undefined;
}

function seconds(v: string): string {
  let total = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as 'h'];
  return String(total);
}

function normalize(component: string, flag: string, value: string): NormalizedValue {
  const v = value.trim().replace(/^['"]|['"]$/g, '');
  const type = find(component, flag)?.[1].type;
  if (type === 'bool') return v === '' ? 'true' : v.toLowerCase();
  if (type === 'duration') return seconds(v);
  if (type === 'set') return v.split(',').map((x) => x.trim()).filter(Boolean).sort();
  if (type === 'list') return v.split(',').map((x) => x.trim()).filter(Boolean);
  if (type === 'map') {
    const out: Record<string, string> = {};
    for (const kv of v.split(',').filter(Boolean)) {
      const [k, x = ''] = kv.split('=');
      out[k.trim()] = x.trim().toLowerCase();
    }
    return out;
  }
  return v;
}

export const fakeKnowledge: DiffKnowledge = {
  flagInfo(component, flag): FlagInfo | undefined {
    const hit = find(component, flag);
    if (!hit) return undefined;
    const [name, f] = hit;
    return { component, name, type: f.type, default: f.default ?? null, configField: f.configField ?? null, deprecated: null, source: 'test' };
  },
  canonicalFlagName: (component, flag) => find(component, flag)?.[0] ?? flag,
  normalizeFlagValue: normalize,
  effectiveDefault(component, flag, options = {}) {
    const hit = find(component, flag);
    if (!hit) return null;
    const d = options.viaConfigFile && hit[1].configDefault !== undefined ? hit[1].configDefault : hit[1].default;
    return d === undefined ? null : normalize(component, hit[0], d);
  },
  securityVerdict(component, flag, value) {
    return find(component, flag)?.[1].security?.(value === null ? null : String(normalize(component, flag, value)));
  },
  isSecurityFlag: (component, flag) => !!find(component, flag)?.[1].securityFlag,
  removedAt(component, flag, version) {
    const hit = find(component, flag);
    if (!hit?.[1].removed) return undefined;
    const minor = (v: string) => v.replace(/^v/, '').split('.').slice(0, 2).map(Number);
    if (version) {
      const [a, b] = minor(version);
      const [c, d] = minor(hit[1].removed);
      if (a < c || (a === c && b < d)) return undefined;
    }
    return { component, flag, change: 'removed', replacement: null, version: hit[1].removed, source: 'test' };
  },
  flagForConfigField(kind, field) {
    const component = kind === 'KubeletConfiguration' ? 'kubelet' : kind === 'KubeProxyConfiguration' ? 'kube-proxy' : '';
    for (const [name, f] of Object.entries(FACTS[component] ?? {})) if (f.configField === field) return name;
    return undefined;
  },
  fileRefRule: () => undefined,
};
