/**
 * A node's own identity (its name and addresses), found in what it configures, so two nodes of one
 * cluster compare as `<node-name>` / `<node-ip>` instead of differing by who they are.
 */
import type { Component, NodeModel } from '../model/types.js';
import type { DiffKnowledge } from './knowledge.js';
import { isIPv4, isIPv6 } from '../util/ip.js';
import { canonicalFlagNames } from './settings.js';

export interface NodeIdentity {
  names: string[];
  ips: string[];
}

export const NODE_NAME = '<node-name>';
export const NODE_IP = '<node-ip>';

/** Flags whose value is the node's name or address, per component. */
const NAME_FLAGS: Record<string, string[]> = {
  kubelet: ['--hostname-override'],
  'kube-proxy': ['--hostname-override'],
  etcd: ['--name'],
};
const ADDRESS_FLAGS: Record<string, string[]> = {
  kubelet: ['--node-ip', '--address'],
  'kube-proxy': ['--bind-address'],
  'kube-apiserver': ['--advertise-address', '--bind-address'],
  'kube-controller-manager': ['--bind-address'],
  'kube-scheduler': ['--bind-address'],
};
const URL_FLAGS: Record<string, string[]> = {
  etcd: ['--listen-client-urls', '--advertise-client-urls', '--listen-peer-urls', '--initial-advertise-peer-urls'],
};
/** Config-file fields holding the node's name or address. */
const CONFIG_FIELDS: Record<string, string[]> = {
  KubeletConfiguration: ['address'],
  KubeProxyConfiguration: ['hostnameOverride', 'bindAddress'],
};
/** Certificates whose SANs name this node and nothing else (the apiserver's also list the cluster). */
const NODE_CERT_ROLES = ['kubelet:serving', 'etcd:server', 'etcd:peer'];

const GENERIC = new Set(['localhost', '0.0.0.0', '::', '::1', '', 'true', 'false']);

/** The node's names and addresses, longest first. */
export function nodeIdentity(node: NodeModel, knowledge: DiffKnowledge): NodeIdentity {
  const names = new Set<string>();
  const ips = new Set<string>();
  const add = (value: string): void => {
    // Found already (the same name in a flag, a kubeconfig and a certificate): kept as it is, nothing to check.
    if (names.has(value) || ips.has(value)) return;
    let v = value.trim();
    // A bracketed address (`[::1]`, as in a URL): a leading `[` and a trailing `]` are dropped, each on its own.
    if (v.charCodeAt(0) === 0x5b) v = v.slice(1);
    if (v.charCodeAt(v.length - 1) === 0x5d) v = v.slice(0, -1);
    if (GENERIC.has(v.toLowerCase()) || v.startsWith('127.') || v.startsWith('<') || isLoopback6(v)) return;
    if (isIPv4(v) || isIPv6(v)) ips.add(v);
    else if (/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v) && v.length >= 2) names.add(v);
  };
  for (const c of node.components) {
    if (!NAME_FLAGS[c.name] && !ADDRESS_FLAGS[c.name] && !URL_FLAGS[c.name]) continue;
    const canonical = canonicalFlagNames(knowledge, c.name);
    const effective = effectiveFlags(c, canonical);
    const valueOf = (flag: string) => effective.get(canonical(flag));
    for (const f of NAME_FLAGS[c.name] ?? []) {
      const v = valueOf(f);
      if (v !== undefined) add(v);
    }
    for (const f of ADDRESS_FLAGS[c.name] ?? []) {
      const v = valueOf(f);
      if (v !== undefined) for (const part of v.split(',')) add(part);
    }
    for (const f of URL_FLAGS[c.name] ?? []) {
      const v = valueOf(f);
      if (v !== undefined) for (const url of v.split(',')) add(hostOf(url));
    }
  }
  for (const k of node.kubeconfigs) {
    const m = k.user?.startsWith('system:node:') ? /^system:node:(.+)$/.exec(k.user) : null;
    if (m) add(m[1]);
  }
  for (const cert of node.certificates) {
    const m = cert.subject.includes('CN=system:node:') ? /CN=system:node:([^,/]+)/.exec(cert.subject) : null;
    if (m) add(m[1]);
    if (namesOneNode(cert.roles, cert.sans)) {
      for (const san of cert.sans) add(san.replace(/^(DNS|IP):/, ''));
    }
  }
  for (const cfg of node.configs) {
    for (const field of CONFIG_FIELDS[cfg.kind] ?? []) {
      const v = (cfg.content as Record<string, unknown> | null)?.[field];
      if (typeof v === 'string') add(v);
    }
  }
  const longestFirst = (a: string, b: string): number => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
  return { names: [...names].sort(longestFirst), ips: [...ips].sort(longestFirst) };
}

/**
 * A certificate whose SANs name this node alone: it plays only node roles and lists at most one
 * address beyond loopback. The hard way's one `kubernetes.pem` serves etcd and the apiserver with
 * every controller's address in it: those are the cluster's, not this node's.
 */
function namesOneNode(roles: readonly string[], sans: readonly string[]): boolean {
  if (roles.length === 0) return false;
  for (let i = 0; i < roles.length; i++) if (!NODE_CERT_ROLES.includes(roles[i])) return false;
  let ips = 0;
  for (let i = 0; i < sans.length; i++) {
    const s = sans[i];
    if (!s.startsWith('IP:')) continue;
    const ip = s.slice(3);
    if (!ip.startsWith('127.') && ip !== '::1' && !isLoopback6(ip) && ++ips > 1) return false;
  }
  return true;
}

/** `0:0:0:0:0:0:0:1` written out (leading zeros allowed); `::1` is matched as such. */
function isLoopback6(v: string): boolean {
  return v.includes(':') && /^(0+:){7}0*1$/.test(v);
}

/** A function replacing the identity's names and addresses in any text, whole words only. */
export function identityReplacer(id: NodeIdentity): (text: string) => string {
  if (id.names.length === 0 && id.ips.length === 0) return keeps((t) => t, []);
  let re: RegExp | undefined;
  const slow = (text: string): string => {
    re ??= identityPattern(id);
    return text.replace(re, (...args) => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      for (const [g, v] of Object.entries(groups)) if (v !== undefined) return g.startsWith('name') ? NODE_NAME : NODE_IP;
      return args[0] as string;
    });
  };
  const alternatives = [
    ...id.ips.map((ip) => ({ token: ip.toLowerCase(), kind: ip.includes(':') ? ('ip6' as const) : ('ip' as const) })),
    ...id.names.map((n) => ({ token: n.toLowerCase(), kind: 'name' as const })),
  ];
  if (!alternatives.every((a) => ASCII.test(a.token))) return slow;
  const shortest = Math.min(...alternatives.map((a) => a.token.length));
  // The same matches as identityPattern without a regular expression per node (each node's own
  // pattern costs more to compile than to run): ASCII text only, where the case-insensitive match of
  // the pattern is the lower-case text's.
  return keeps((text) => {
    // Most texts (`true`, `0s`, paths) hold no name or address. The pattern matches ASCII letters
    // only (case-insensitive matching maps no other character to one), so where the lower-case
    // text has no token anywhere it cannot match either, whatever else the text holds.
    if (text.length < shortest) return text;
    const lower = text.toLowerCase();
    if (!holdsAny(lower, alternatives)) return text;
    if (!ASCII.test(text)) return slow(text);
    let out = '';
    let done = 0;
    let from = 0;
    for (;;) {
      let at = -1;
      let hit: (typeof alternatives)[number] | undefined;
      // Indexed: run for every text of every node, for...of here cost 0.5% of a fleet audit's instructions.
      for (let k = 0; k < alternatives.length; k++) {
        const a = alternatives[k];
        const i = nextMatch(text, lower, a.token, a.kind, from);
        if (i >= 0 && (at < 0 || i < at)) {
          at = i;
          hit = a;
        }
      }
      if (!hit) break;
      out += text.slice(done, at) + (hit.kind === 'name' ? NODE_NAME : NODE_IP);
      done = from = at + hit.token.length;
    }
    return done === 0 ? text : out + text.slice(done);
  }, alternatives.map((a) => a.token));
}

function holdsAny(lower: string, alternatives: ReadonlyArray<{ token: string }>): boolean {
  for (let i = 0; i < alternatives.length; i++) if (lower.includes(alternatives[i].token)) return true;
  return false;
}

/** The lower-case tokens of replacers that return any text whose lower case holds none of them as it is. */
const tokensOf = new WeakMap<(text: string) => string, readonly string[]>();

function keeps(replace: (text: string) => string, tokens: readonly string[]): (text: string) => string {
  tokensOf.set(replace, tokens);
  return replace;
}

/**
 * True when `identity` (a replacer of identityReplacer) returns every text whose lower case is part
 * of `lower` unchanged: one look through many texts (the fields of a config file every node shares,
 * joined) instead of one per text. False when not known.
 */
export function keepsAll(identity: (text: string) => string, lower: string): boolean {
  const tokens = tokensOf.get(identity);
  if (tokens === undefined) return false;
  for (let i = 0; i < tokens.length; i++) if (lower.includes(tokens[i])) return false;
  return true;
}

function identityPattern(id: NodeIdentity): RegExp {
  const parts: string[] = [];
  // Addresses first: a name never looks like an address, but `10.0.0.5` must not eat `10.0.0.50`.
  for (const ip of id.ips) {
    const e = escape(ip);
    parts.push(ip.includes(':') ? `(?<![0-9A-Fa-f])(?<ip6>${e})(?![0-9A-Fa-f:])` : `(?<![0-9.])(?<ip>${e})(?![0-9]|\\.[0-9])`);
  }
  const names = id.names.map(escape).join('|');
  // `<host>-ca@<time>` is the kubelet's self-signed CA, named after the node.
  if (names) parts.push(`(?<![A-Za-z0-9_.-])(?<name>${names})(?:(?![A-Za-z0-9_-])|(?=-ca@))`);
  return new RegExp(parts.map((p, i) => p.replace(/\?<(ip6|ip|name)>/, `?<$1${i}>`)).join('|'), 'gi');
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

/** Where the pattern's alternative for `token` next matches at or after `from` in (ASCII) text, or -1. */
function nextMatch(text: string, lower: string, token: string, kind: 'ip' | 'ip6' | 'name', from: number): number {
  for (let i = lower.indexOf(token, from); i >= 0; i = lower.indexOf(token, i + 1)) {
    const before = i > 0 ? text.charCodeAt(i - 1) : -1;
    const end = i + token.length;
    const after = end < text.length ? text.charCodeAt(end) : -1;
    if (kind === 'ip') {
      if (isDigit(before) || before === DOT) continue;
      if (isDigit(after) || (after === DOT && isDigit(end + 1 < text.length ? text.charCodeAt(end + 1) : -1))) continue;
    } else if (kind === 'ip6') {
      if (isHex(before)) continue;
      if (isHex(after) || after === COLON) continue;
    } else {
      if (isWord(before) || before === DOT) continue;
      if (isWord(after) && !(after === DASH && lower.startsWith('-ca@', end))) continue;
    }
    return i;
  }
  return -1;
}

const DOT = 46;
const COLON = 58;
const DASH = 45;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** `[A-Za-z0-9_-]` */
function isWord(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === DASH;
}

/** The value the component really uses for a flag (any of its names): the last occurrence not overridden. */
export function effectiveFlag(c: Component, flag: string, knowledge: DiffKnowledge): string | undefined {
  const canonical = knowledge.canonicalFlagName(c.name, flag);
  let value: string | undefined;
  for (const f of c.flags) {
    if (f.overridden) continue;
    if (f.name === flag || knowledge.canonicalFlagName(c.name, f.name) === canonical) value = f.value;
  }
  return value;
}

/** Every flag's effective value (as effectiveFlag gives it), by canonical name. */
function effectiveFlags(c: Component, canonical: (flag: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  const flags = c.flags;
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (!f.overridden) out.set(canonical(f.name), f.value);
  }
  return out;
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]+\]|[^:/]+)/i.exec(url.trim());
  return m ? m[1] : '';
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
