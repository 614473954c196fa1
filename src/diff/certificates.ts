/**
 * Certificates and kubeconfigs compared by the role they play, not by where they live: a renewed
 * certificate (new serial, new dates, same identity) is no drift; a moved one is layout.
 */
import type { Certificate, Difference, Kubeconfig, NodeModel } from '../model/types.js';
import { CORE_COMPONENTS } from '../knowledge/components.js';
import { type DiffContext, difference, sameValue } from './types.js';

type CertStatus = Certificate['status'];

/** The component a role belongs to (`kube-apiserver:serving` -> kube-apiserver), or null. */
export function componentOfRole(role: string, known: ReadonlySet<string>): string | null {
  const i = role.indexOf(':');
  if (i <= 0) return null;
  const c = role.slice(0, i);
  return known.has(c) || (CORE_COMPONENTS as readonly string[]).includes(c) ? c : null;
}

/** Items grouped by each role they play; those with no role under `path:<path>`. */
function byRole<T extends { path: string; roles: string[] }>(items: readonly T[], identity: (s: string) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const keys = item.roles.length ? item.roles : [`path:${identity(item.path)}`];
    for (let j = 0; j < keys.length; j++) {
      const group = m.get(keys[j]);
      if (group) group.push(item);
      else m.set(keys[j], [item]);
    }
  }
  return m;
}

const NONE: never[] = [];

/** The left roles, sorted, once per left map (the memo keeps a reference's for every node). */
const sortedRoles = new WeakMap<Map<string, unknown>, string[]>();

/** The roles of both sides, sorted; a node with no role the reference lacks (most of a fleet) has the reference's. */
function rolesOf(lm: Map<string, unknown>, rm: Map<string, unknown>): readonly string[] {
  let sorted = sortedRoles.get(lm);
  if (!sorted) sortedRoles.set(lm, (sorted = [...lm.keys()].sort()));
  for (const k of rm.keys()) if (!lm.has(k)) return [...new Set([...lm.keys(), ...rm.keys()])].sort();
  return sorted;
}

/** Pairs two groups sharing a role: equal identity first, then the closest paths, then in order. */
function pairUp<T>(
  l: T[],
  r: T[],
  identOf: (x: T, side: 'left' | 'right') => string,
  pathOf: (x: T, side: 'left' | 'right') => string,
): Array<[T | undefined, T | undefined]> {
  // One on each side (most roles): they pair whatever their identities, as the general case would.
  if (l.length <= 1 && r.length <= 1) return l.length + r.length === 0 ? NONE : [[l[0], r[0]]];
  // Each item's identity is worked out once, not at every comparison of the sort.
  const known = { left: new Map<T, string>(), right: new Map<T, string>() };
  const ident = (x: T, side: 'left' | 'right'): string => {
    let id = known[side].get(x);
    if (id === undefined) known[side].set(x, (id = identOf(x, side)));
    return id;
  };
  const sortBy = (side: 'left' | 'right') => (a: T, b: T) => (ident(a, side) < ident(b, side) ? -1 : ident(a, side) > ident(b, side) ? 1 : 0);
  const ls = [...l].sort(sortBy('left'));
  const rs = [...r].sort(sortBy('right'));
  const pairs: Array<[T | undefined, T | undefined]> = [];
  const restL: T[] = [];
  for (const a of ls) {
    const j = rs.findIndex((b) => ident(b, 'right') === ident(a, 'left'));
    if (j >= 0) pairs.push([a, rs.splice(j, 1)[0]]);
    else restL.push(a);
  }
  for (const a of restL) {
    if (rs.length === 0) {
      pairs.push([a, undefined]);
      continue;
    }
    let best = 0;
    for (let j = 1; j < rs.length; j++) {
      if (pathSimilarity(pathOf(a, 'left'), pathOf(rs[j], 'right')) > pathSimilarity(pathOf(a, 'left'), pathOf(rs[best], 'right'))) best = j;
    }
    pairs.push([a, rs.splice(best, 1)[0]]);
  }
  for (const b of rs) pairs.push([undefined, b]);
  return pairs;
}

/** Shared leading directories plus shared trailing name parts: `/etc/kubernetes/pki/etcd/ca.crt` is closer to `/etc/etcd/ca.pem` than to `/x/y.pem`. */
function pathSimilarity(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  let score = 0;
  for (let i = 0; i < Math.min(pa.length, pb.length) - 1 && pa[i] === pb[i]; i++) score += 1;
  const stem = (p: string) => (p.split('/').pop() ?? '').replace(/\.[a-z]+$/i, '').split(/[-_.]/);
  const sb = new Set(stem(b));
  for (const part of stem(a)) if (sb.has(part)) score += 2;
  for (const dir of pa.slice(0, -1)) if (dir && pb.slice(0, -1).includes(dir)) score += 0.5;
  return score;
}

interface CertIdentity {
  subject: string;
  sans: string[];
  issuer: string;
  publicKey: string;
  usages: string[];
  isCA: boolean;
  /** The further certificates a bundle file holds after this one (subject <- issuer), compared as part of the file. */
  bundle: string[];
}

const FIELD_NAMES: Record<keyof CertIdentity, string> = {
  subject: 'subject',
  sans: 'SANs',
  issuer: 'issuer',
  publicKey: 'key type',
  usages: 'usages',
  isCA: 'CA flag',
  bundle: 'bundled certificates',
};

/** The kubelet's self-signed serving certificate is named `<host>@<unix time>`: the time is no identity. */
function undate(dn: string): string {
  return dn.includes('@') ? dn.replace(/@\d{9,}\b/g, '@<time>') : dn;
}

/**
 * One certificate as the differ sees it: identical copies at several paths of one node are one
 * certificate (the hard way keeps `ca.pem` in /var/lib/kubernetes and /etc/etcd), and the extra
 * certificates of a bundle file (`kubelet.crt#1`, its self-signed CA) are part of the file's entry.
 */
interface CertEntry {
  cert: Certificate;
  /** Node paths, identity replaced, sorted. */
  paths: string[];
  /** Every role the certificate plays on its node, worked out when a difference names them (entryRoles). */
  roles?: string[];
  /** The node's certificates, for entryRoles. */
  of: readonly Certificate[];
  bundle: Certificate[];
  /** Its identity and status, once worked out for an entry the memo keeps (an audit's reference, every node). */
  identity?: CertIdentity;
  status?: { now: number; days: number; status: CertStatus };
}

/** A node's certificates by role (no role: `path:<path>`), copies of one certificate within a role merged. */
function certEntries(node: NodeModel, identity: (s: string) => string): Map<string, CertEntry[]> {
  const bundleOf = /^(.*)#\d+$/;
  let primaries: Set<string> | undefined;
  let bundles: Map<string, Certificate[]> | undefined;
  const all = node.certificates;
  const certs: Certificate[] = [];
  for (const c of inPathOrder(all)) {
    // Only a `path#N` is a bundle's further certificate (most nodes have none).
    const m = c.path.includes('#') ? bundleOf.exec(c.path) : null;
    if (m && c.roles.length === 0 && (primaries ??= new Set(all.filter((x) => !bundleOf.test(x.path)).map((x) => x.path))).has(m[1])) {
      bundles ??= new Map();
      bundles.set(m[1], [...(bundles.get(m[1]) ?? []), c]);
      continue;
    }
    certs.push(c);
  }
  const out = new Map<string, CertEntry[]>();
  for (let n = 0; n < certs.length; n++) {
    const c = certs[n];
    const roles = c.roles.length ? c.roles : [`path:${identity(c.path)}`];
    for (let k = 0; k < roles.length; k++) {
      const role = roles[k];
      let group = out.get(role);
      let same: CertEntry | undefined;
      if (group && c.sha256) {
        for (let i = 0; i < group.length; i++) {
          if (group[i].cert.sha256 === c.sha256) {
            same = group[i];
            break;
          }
        }
      }
      if (same) {
        same.paths = [...same.paths, identity(c.path)].sort();
        continue;
      }
      if (!group) out.set(role, (group = []));
      group.push({ cert: c, paths: [identity(c.path)], of: all, bundle: bundles?.get(c.path) ?? NONE });
    }
  }
  return out;
}

/** The certificates by path; as given when they already are (a scan lists them so). */
function inPathOrder(certs: readonly Certificate[]): readonly Certificate[] {
  for (let i = 1; i < certs.length; i++) {
    if (!(certs[i - 1].path < certs[i].path)) return [...certs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  return certs;
}

/** Every role a certificate plays on its node (those of all its copies), sorted. */
function entryRoles(e: CertEntry): string[] {
  if (e.roles) return e.roles;
  const key = e.cert.sha256 || e.cert.path;
  const roles = new Set<string>();
  for (const x of e.of) if ((x.sha256 || x.path) === key) for (const r of x.roles) roles.add(r);
  return (e.roles = [...roles].sort());
}

function certIdentity(e: CertEntry, identity: (s: string) => string): CertIdentity {
  const c = e.cert;
  return {
    subject: undate(identity(c.subject)),
    sans: c.sans.length === 0 ? [] : [...new Set(c.sans.map(identity))].sort(),
    issuer: undate(identity(c.issuer)),
    publicKey: c.publicKey,
    usages: usagesOf(c),
    isCA: c.isCA,
    bundle: e.bundle.length === 0 ? [] : e.bundle.map((b) => `${undate(identity(b.subject))} <- ${undate(identity(b.issuer))}`),
  };
}

/**
 * True when the right entry's identity (as certIdentity would give it) holds exactly the left's
 * values, so no field differs: a node's certificates are mostly the reference's but for its name.
 */
function sameCertIdentity(li: CertIdentity, l: CertEntry, r: CertEntry, identity: (s: string) => string): boolean {
  const c = r.cert;
  if (c.publicKey !== li.publicKey || c.isCA !== li.isCA || r.bundle.length !== 0 || li.bundle.length !== 0) return false;
  // The same usages as the left certificate's give the left's list.
  if (!sameStrings(c.keyUsage, l.cert.keyUsage) || !sameStrings(c.extKeyUsage, l.cert.extKeyUsage)) return false;
  if (undate(identity(c.subject)) !== li.subject || undate(identity(c.issuer)) !== li.issuer) return false;
  // The left's SANs are sorted and each once: equal item by item, the right's are so too.
  const sans = li.sans;
  const cs = c.sans;
  if (cs.length !== sans.length) return false;
  for (let i = 0; i < cs.length; i++) if (identity(cs[i]) !== sans[i]) return false;
  return true;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Key usages and extended key usages, each once, sorted. */
function usagesOf(c: Certificate): string[] {
  const out: string[] = [];
  for (const list of [c.keyUsage, c.extKeyUsage]) {
    for (let i = 0; i < list.length; i++) if (!out.includes(list[i])) out.push(list[i]);
  }
  return out.sort();
}

/** The fields of two identities that differ (as sameValue says), in FIELD_NAMES order. */
function changedFields(a: CertIdentity, b: CertIdentity): Array<keyof CertIdentity> {
  const out: Array<keyof CertIdentity> = [];
  if (!sameText(a.subject, b.subject)) out.push('subject');
  if (!sameList(a.sans, b.sans)) out.push('sans');
  if (!sameText(a.issuer, b.issuer)) out.push('issuer');
  if (!sameText(a.publicKey, b.publicKey)) out.push('publicKey');
  if (!sameList(a.usages, b.usages)) out.push('usages');
  if (a.isCA !== b.isCA && !sameValue(a.isCA, b.isCA)) out.push('isCA');
  if (!sameList(a.bundle, b.bundle)) out.push('bundle');
  return out;
}

function sameText(a: unknown, b: unknown): boolean {
  return a === b || sameValue(a, b);
}

/** sameValue of two lists, without its passes over lists of strings. */
function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return sameValue(a, b);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y) return typeof x === 'string' && typeof y === 'string' ? false : sameValue(a, b);
  }
  return true;
}

/** The identity of a left entry, kept on the entry when the memo keeps the entries. */
function leftCertIdentity(e: CertEntry, ctx: DiffContext): CertIdentity {
  if (!ctx.leftMemo) return certIdentity(e, ctx.leftIdentity);
  return (e.identity ??= certIdentity(e, ctx.leftIdentity));
}

/** The status of a left entry, kept on the entry (for this clock and window) when the memo keeps the entries. */
function leftCertStatus(e: CertEntry, ctx: DiffContext): CertStatus {
  if (!ctx.leftMemo || !ctx.now) return certStatus(e.cert, ctx);
  const now = ctx.now.getTime();
  const kept = e.status;
  if (kept && kept.now === now && kept.days === ctx.expiringDays) return kept.status;
  const status = certStatus(e.cert, ctx);
  e.status = { now, days: ctx.expiringDays, status };
  return status;
}

/** A difference's copy of a field: the memo's identity of a left entry is shared by every node's comparison. */
function own<T>(v: T): T {
  return (Array.isArray(v) ? [...v] : v) as T;
}

export function certStatus(c: Certificate, ctx: DiffContext): CertStatus {
  if (!ctx.now) return c.status;
  const now = ctx.now.getTime();
  const nb = parseDate(c.notBefore);
  const na = parseDate(c.notAfter);
  if (Number.isFinite(nb) && now < nb) return 'not-yet-valid';
  if (Number.isFinite(na) && now > na) return 'expired';
  if (Number.isFinite(na) && na - now <= ctx.expiringDays * 86_400_000) return 'expiring';
  return 'valid';
}

/** Dates as Date.parse reads them; a fleet's certificates share a few validity dates. */
const parsedDates = new Map<string, number>();

function parseDate(text: string): number {
  let ms = parsedDates.get(text);
  if (ms === undefined) {
    ms = Date.parse(text);
    if (parsedDates.size < 1000) parsedDates.set(text, ms);
  }
  return ms;
}

/**
 * A role the other node gives as a bare key file (kubeadm's `sa.pub` for service accounts, where
 * the hard way uses a certificate): the flag's path, or null.
 */
function roleGivenAsKey(node: NodeModel, role: string, ctx: DiffContext, identity: (s: string) => string): string | null {
  let keyPath: string | null = null;
  for (const c of node.components) {
    for (const f of c.flags) {
      if (f.overridden || f.value === '') continue;
      const rule = ctx.knowledge.fileRefRule(c.name, ctx.knowledge.canonicalFlagName(c.name, f.name));
      if (!rule || rule.role !== role) continue;
      if (rule.kind !== 'key') return null;
      keyPath ??= identity(f.value);
    }
  }
  return keyPath;
}

/**
 * Every pair of items the two sides hold for the same role, roles in order and paired within a role
 * by pairUp (either side may be missing), with the role's component and the key differences name
 * it by: the walk certificates and kubeconfigs are compared by.
 */
function eachRolePair<T>(
  lm: Map<string, T[]>,
  rm: Map<string, T[]>,
  known: ReadonlySet<string>,
  identOf: (x: T, side: 'left' | 'right') => string,
  pathOf: (x: T, side: 'left' | 'right') => string,
  visit: (role: string, isPath: boolean, component: string | null, key: string, l: T | undefined, r: T | undefined) => void,
): void {
  const roles = rolesOf(lm, rm);
  for (let n = 0; n < roles.length; n++) {
    const role = roles[n];
    const isPath = role.startsWith('path:');
    const component = isPath ? null : componentOfRole(role, known);
    const key = isPath ? role.slice(5) : role;
    const pairs = pairUp(lm.get(role) ?? NONE, rm.get(role) ?? NONE, identOf, pathOf);
    for (let p = 0; p < pairs.length; p++) visit(role, isPath, component, key, pairs[p][0], pairs[p][1]);
  }
}

export function compareCertificates(left: NodeModel, right: NodeModel, ctx: DiffContext, known: ReadonlySet<string>): Difference[] {
  const out: Difference[] = [];
  const memo = ctx.leftMemo;
  const lm = (memo?.certificates as Map<string, CertEntry[]> | undefined) ?? certEntries(left, ctx.leftIdentity);
  if (memo) memo.certificates = lm;
  const rm = certEntries(right, ctx.rightIdentity);
  eachRolePair(lm, rm, known, certIds(ctx), firstPath, (role, isPath, component, key, l, r) => {
    const lp = l ? where(l) : null;
    const rp = r ? where(r) : null;
    if (!l || !r) {
      const side = l ? ctx.sides.left : ctx.sides.right;
      const other = l ? ctx.sides.right : ctx.sides.left;
      const asKey = isPath ? null : roleGivenAsKey(l ? right : left, role, ctx, l ? ctx.rightIdentity : ctx.leftIdentity);
      if (asKey) {
        out.push(difference({
          component, subject: 'certificate', key, change: l ? 'removed' : 'added', category: 'layout', severity: 'info',
          left: l ? lp : asKey, right: r ? rp : asKey,
          message: `${capitalize(side)} gives the ${role} role a certificate (${lp ?? rp}), ${other} a bare key (${asKey}); both sign and verify with a key pair, only the file form differs.`,
        }));
        return;
      }
      out.push(difference({
        component, subject: 'certificate', key, change: l ? 'removed' : 'added', category: 'certificate', severity: 'warning',
        left: lp, right: rp,
        message: `Only ${side} has ${certWhat(isPath, key)} (${lp ?? rp}); check whether ${other} needs it or gets it from elsewhere.`,
      }));
      return;
    }
    const li = leftCertIdentity(l, ctx);
    const ri = sameCertIdentity(li, l, r, ctx.rightIdentity) ? li : certIdentity(r, ctx.rightIdentity);
    const changed = ri === li ? NONE : changedFields(li, ri);
    if (changed.length) {
      const pick = (x: CertIdentity) => Object.fromEntries(changed.map((f) => [f, own(x[f])]));
      const parts = changed.map((f) => (f === 'sans' ? sansChange(li.sans, ri.sans) : `${FIELD_NAMES[f]} ${show(li[f])} vs ${show(ri[f])}`));
      const shared = (e: CertEntry, side: string) => {
        const others = entryRoles(e).filter((x) => x !== role);
        return others.length ? `; on ${side} the same certificate also serves as ${others.join(', ')}` : '';
      };
      out.push(difference({
        component, subject: 'certificate', key, change: 'changed', category: 'certificate', severity: 'warning',
        left: pick(li), right: pick(ri),
        message: `${capitalize(certWhat(isPath, key))} differs: ${parts.join('; ')}${shared(l, ctx.sides.left)}${shared(r, ctx.sides.right)}; make sure the same clients and names are trusted on both.`,
      }));
    }
    const ls = leftCertStatus(l, ctx);
    const rs = certStatus(r.cert, ctx);
    if (ls !== rs) {
      const severity = rs === 'expired' || rs === 'not-yet-valid' ? 'error' : rs === 'expiring' ? 'warning' : 'info';
      out.push(difference({
        component, subject: 'certificate', key, change: 'changed', category: 'certificate', severity,
        left: ls, right: rs,
        message: `${capitalize(certWhat(isPath, key))} is ${ls} on ${ctx.sides.left} and ${rs} on ${ctx.sides.right} (${ctx.sides.right}'s expires ${r.cert.notAfter})${rs === 'valid' ? '' : '; renew it'}.`,
      }));
    }
    if (lp !== rp) {
      out.push(difference({
        component, subject: 'certificate', key, change: 'changed', category: 'layout', severity: 'info', left: lp, right: rp,
        message: `${capitalize(certWhat(isPath, key))} lives at ${lp} on ${ctx.sides.left} and ${rp} on ${ctx.sides.right}; only the location differs.`,
      }));
    }
  });
  return out;
}

function certIds(ctx: DiffContext): (e: CertEntry, side: 'left' | 'right') => string {
  return leftKept(ctx, (e: CertEntry, side: 'left' | 'right') => JSON.stringify(side === 'left' ? leftCertIdentity(e, ctx) : certIdentity(e, ctx.rightIdentity)));
}

function firstPath(e: CertEntry): string {
  return e.paths[0];
}

function where(e: CertEntry): string {
  return e.paths.length === 1 ? e.paths[0] : e.paths.join(', ');
}

/** How messages name a role's certificate (named only when they say something). */
function certWhat(isPath: boolean, key: string): string {
  return isPath ? `the certificate ${key}` : `the ${key} certificate`;
}

interface KubeconfigIdentity {
  server: string | null;
  user: string | null;
  groups: string[];
  auth: string;
}

export function compareKubeconfigs(left: NodeModel, right: NodeModel, ctx: DiffContext, known: ReadonlySet<string>): Difference[] {
  const out: Difference[] = [];
  const memo = ctx.leftMemo;
  const lm = (memo?.kubeconfigs as Map<string, Kubeconfig[]> | undefined) ?? byRole(left.kubeconfigs, ctx.leftIdentity);
  if (memo) memo.kubeconfigs = lm;
  const rm = byRole(right.kubeconfigs, ctx.rightIdentity);
  eachRolePair(lm, rm, known, kubeconfigIds(ctx), kubeconfigPath(ctx), (role, isPath, component, key, l, r) => {
    const lp = l ? ctx.leftIdentity(l.path) : null;
    const rp = r ? ctx.rightIdentity(r.path) : null;
    if (!l || !r) {
      out.push(difference({
        component, subject: 'kubeconfig', key, change: l ? 'removed' : 'added', category: 'config', severity: 'warning',
        left: lp, right: rp,
        message: `Only ${l ? ctx.sides.left : ctx.sides.right} has ${kubeconfigWhat(isPath, key)} (${lp ?? rp}); check how the other side authenticates.`,
      }));
      return;
    }
    const ls = l.server === null ? null : ctx.leftIdentity(l.server);
    const rs = r.server === null ? null : ctx.rightIdentity(r.server);
    if (ls !== rs) {
      out.push(difference({
        component, subject: 'kubeconfig', key: `${key}.server`, change: 'changed', category: 'config', severity: 'warning',
        left: ls, right: rs,
        message: `${capitalize(kubeconfigWhat(isPath, key))} talks to ${ls ?? 'no server'} on ${ctx.sides.left} and ${rs ?? 'no server'} on ${ctx.sides.right}; check both reach the intended apiserver.`,
      }));
    }
    // The same user, auth and groups (most of a fleet): none of them differs, no views to build.
    const lu = l.user === null ? null : ctx.leftIdentity(l.user);
    const ru = r.user === null ? null : ctx.rightIdentity(r.user);
    if (lu !== ru || l.auth !== r.auth || !sameStrings(l.groups, r.groups)) {
      const lv = kubeconfigView(l, ctx.leftIdentity);
      const rv = kubeconfigView(r, ctx.rightIdentity);
      const idChanged = (['user', 'groups', 'auth'] as const).filter((f) => !sameValue(lv[f], rv[f]));
      if (idChanged.length) {
        const pick = (x: KubeconfigIdentity) => Object.fromEntries(idChanged.map((f) => [f, x[f]]));
        out.push(difference({
          component, subject: 'kubeconfig', key, change: 'changed', category: 'security', severity: 'warning',
          left: pick(lv), right: pick(rv),
          message: `${capitalize(kubeconfigWhat(isPath, key))} authenticates differently (${idChanged.map((f) => `${f} ${show(lv[f])} vs ${show(rv[f])}`).join('; ')}); check the permissions each identity gets.`,
        }));
      }
    }
    if (lp !== rp) kubeconfigMoved(out, ctx, component, key, isPath, 'path', lp, rp, lp, rp);
    if (l.ca !== null && r.ca !== null) kubeconfigMoved(out, ctx, component, key, isPath, 'ca', ctx.leftIdentity(l.ca), ctx.rightIdentity(r.ca), lp, rp);
    if (l.clientCertificate !== null && r.clientCertificate !== null) {
      kubeconfigMoved(out, ctx, component, key, isPath, 'clientCertificate', ctx.leftIdentity(l.clientCertificate), ctx.rightIdentity(r.clientCertificate), lp, rp);
    }
  });
  return out;
}

function kubeconfigView(k: Kubeconfig, id: (s: string) => string): KubeconfigIdentity {
  return {
    server: k.server === null ? null : id(k.server),
    user: k.user === null ? null : id(k.user),
    groups: [...k.groups].sort(),
    auth: k.auth,
  };
}

function kubeconfigIds(ctx: DiffContext): (k: Kubeconfig, side: 'left' | 'right') => string {
  return leftKept(ctx, (k: Kubeconfig, side: 'left' | 'right') => JSON.stringify(kubeconfigView(k, side === 'left' ? ctx.leftIdentity : ctx.rightIdentity)));
}

function kubeconfigPath(ctx: DiffContext): (k: Kubeconfig, side: 'left' | 'right') => string {
  return (k, side) => (side === 'left' ? ctx.leftIdentity : ctx.rightIdentity)(k.path);
}

function kubeconfigWhat(isPath: boolean, key: string): string {
  return isPath ? `the kubeconfig ${key}` : `the ${key} kubeconfig`;
}

/** A kubeconfig, or a file it names, at another place on each side (layout only). */
function kubeconfigMoved(
  out: Difference[],
  ctx: DiffContext,
  component: string | null,
  key: string,
  isPath: boolean,
  field: 'path' | 'ca' | 'clientCertificate',
  a: string | null,
  b: string | null,
  lp: string | null,
  rp: string | null,
): void {
  if (a === b || a === null || b === null) return;
  // Embedded in each kubeconfig (`<path>#ca`): the kubeconfig's own location already says it.
  if (field !== 'path' && lp !== null && rp !== null && a.startsWith(`${lp}#`) && b.startsWith(`${rp}#`)) return;
  out.push(difference({
    component, subject: 'kubeconfig', key: field === 'path' ? key : `${key}.${field}`, change: 'changed', category: 'layout', severity: 'info',
    left: a, right: b,
    message: `${capitalize(kubeconfigWhat(isPath, key))}${field === 'path' ? '' : `'s ${field === 'ca' ? 'CA' : 'client certificate'}`} is at ${a} on ${ctx.sides.left} and ${b} on ${ctx.sides.right}; only the location differs.`,
  }));
}

/**
 * An identity function whose left answers are kept in the memo: an audit compares the same
 * reference with every node. (The left items are the memo's own, so they stand for the same left
 * model while it is valid.)
 */
function leftKept<T extends object>(ctx: DiffContext, idOf: (x: T, side: 'left' | 'right') => string): (x: T, side: 'left' | 'right') => string {
  const memo = ctx.leftMemo;
  if (!memo) return idOf;
  const ids = (memo.ids ??= new WeakMap());
  return (x, side) => {
    if (side === 'right') return idOf(x, side);
    let id = ids.get(x);
    if (id === undefined) ids.set(x, (id = idOf(x, side)));
    return id;
  };
}

function sansChange(l: string[], r: string[]): string {
  const missing = l.filter((s) => !r.includes(s));
  const extra = r.filter((s) => !l.includes(s));
  const parts: string[] = [];
  if (missing.length) parts.push(`right lacks ${missing.join(', ')}`);
  if (extra.length) parts.push(`right adds ${extra.join(', ')}`);
  return `SANs (${parts.join(', ')})`;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return v.length ? v.join(',') : 'none';
  return String(v);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
