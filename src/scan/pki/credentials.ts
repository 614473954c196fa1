/**
 * Certificates and kubeconfigs of a node: files reached by references first, the usual directories
 * second. Issuers are found by signature (issuedBy: OpenSSL's check_issued + verify), never by name alone.
 */
import {
  CERT_FILE_PATTERN,
  CERT_ONLY_PATTERN,
  COMPATIBLE_ROLES,
  KUBEADM_CERT_ROLES,
  KUBECONFIG_DIRS,
  USUAL_CERT_DIRS,
  USUAL_KUBECONFIGS,
  kubeconfigClientRole,
} from '../../knowledge/file-refs.js';
import type { Certificate, Finding, Kubeconfig, Severity } from '../../model/types.js';
import { joinNodePath, type FileTree } from '../../source/file-tree.js';
import type { FileReference, ScanOptions } from '../types.js';
import { RepeatCache } from '../../util/memo.js';
import { readKeyBlock } from './keys.js';
import { parseKubeconfig, type KubeconfigRead } from './kubeconfig.js';
import { CERTIFICATE_LABELS, PRIVATE_KEY_LABELS, PUBLIC_KEY_LABELS, readPem, readPemFile, type PemBlock, type PemRead } from './pem.js';
import { resolveNodePath, ruleFor } from './references.js';
import { issuedBy, nameValues, parseCertificate, plainlyNotIssued, type CertFacts } from './x509.js';
import { compareText } from '../../util/compare.js';

type Status = Certificate['status'];

const DAY_MS = 24 * 60 * 60 * 1000;

/** Finding codes this scanner emits (the certs command shows these). */
export const PKI_FINDING_CODES: readonly string[] = [
  'referenced-file-missing',
  'pem-empty',
  'pem-der',
  'pem-missing',
  'pem-truncated',
  'pem-invalid',
  'cert-unparseable',
  'key-unparseable',
  'key-where-cert-expected',
  'key-mismatch',
  'issuer-not-on-node',
  'cert-expired',
  'cert-expiring',
  'cert-not-yet-valid',
  'cert-multiple-roles',
  'kubeconfig-missing',
  'kubeconfig-invalid',
  'kubeconfig-data-invalid',
  'kubeconfig-key-mismatch',
  'kubeconfig-insecure',
];

/** A file read for its PEM content; one per real file (symlinks merged). */
interface PemFile {
  /** The path shown: a referenced path if any, else the file's own path. */
  path: string;
  realPath: string;
  aliases: Set<string>;
  refs: FileReference[];
  foundInDir: boolean;
  pem: PemRead | null;
  certs: CertEntry[];
  privateKeyIds: string[];
}

interface CertEntry {
  path: string;
  file: PemFile;
  index: number;
  facts: CertFacts;
  roles: Set<string>;
  /** issuerOf under its own path, once worked out (a kubeconfig naming the file asks again). */
  issuerPath?: string | null;
}

/** A certificate that can sign others: a file on the node, or a CA embedded in a kubeconfig. */
interface IssuerCandidate {
  path: string;
  facts: CertFacts;
  embedded: boolean;
}

/** A kubeconfig's client certificate field and the field naming its key. */
const KUBECONFIG_KEY_VIA: Readonly<Record<string, string>> = { 'client-certificate': 'client-key' };

/** Who points at a file, for messages: `kube-apiserver --tls-cert-file`, `client-certificate in /etc/kubernetes/kubelet.conf`. */
function describeRef(r: FileReference): string {
  return r.via in KUBECONFIG_FIELDS ? `${r.via} in ${r.source}` : `${r.component} ${r.via}`;
}

const KUBECONFIG_FIELDS: Readonly<Record<string, true>> = { 'client-certificate': true, 'client-key': true, 'certificate-authority': true };

function isCertFileName(p: string): boolean {
  return CERT_FILE_PATTERN.test(p);
}

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

export function certStatus(notBefore: string, notAfter: string, now: Date, expiringDays: number): Status {
  return statusAt(Date.parse(notBefore), Date.parse(notAfter), now, expiringDays);
}

/** certStatus of times already parsed (CertFacts holds them). */
function statusAt(start: number, end: number, now: Date, expiringDays: number): Status {
  const t = now.getTime();
  if (start > t) return 'not-yet-valid';
  if (end <= t) return 'expired';
  if (end - t <= expiringDays * DAY_MS) return 'expiring';
  return 'valid';
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Candidates in the order tried for a certificate in `dir`: a CA file beside it, then any file, then a CA embedded in a kubeconfig. */
function orderCandidates(candidates: IssuerCandidate[], dir: string): IssuerCandidate[] {
  const rank = (c: IssuerCandidate) => (c.embedded ? 2 : dirOf(c.path) === dir ? 0 : 1);
  return candidates.sort((a, b) => rank(a) - rank(b) || compareText(a.path, b.path));
}

/** Issuer checks by (certificate, issuer) fingerprints, process-wide: a fleet repeats them. */
const issued = new RepeatCache<boolean>(1024);

class Scan {
  readonly findings: Finding[] = [];
  readonly files = new Map<string, PemFile>();
  readonly now: Date;
  readonly expiringDays: number;

  constructor(readonly tree: FileTree, options: ScanOptions) {
    this.now = options.now ?? new Date();
    this.expiringDays = options.expiringDays ?? 30;
  }

  finding(severity: Severity, code: string, path: string | null, message: string, component?: string, line?: number): void {
    this.findings.push({ severity, code, path, ...(line !== undefined ? { line } : {}), message, ...(component ? { component } : {}) });
  }

  /** Registers a file to read; returns null when it is not on the node. */
  addFile(path: string, ref: FileReference | null): PemFile | null {
    const real = this.tree.kind(path) === 'file' ? this.tree.realPath(path) : null;
    if (!real) return null;
    let f = this.files.get(real);
    if (!f) {
      f = { path, realPath: real, aliases: new Set(), refs: [], foundInDir: false, pem: null, certs: [], privateKeyIds: [] };
      this.files.set(real, f);
    }
    f.aliases.add(path);
    if (ref) f.refs.push(ref);
    else f.foundInDir = true;
    return f;
  }

  /** Sets each file's shown path, once every file is registered. */
  settlePaths(): void {
    for (const f of this.files.values()) {
      // Shown as referenced (kubelet.conf names kubelet-client-current.pem), else as the file itself.
      if (f.refs.length > 0) f.path = f.refs.length === 1 ? f.refs[0].path : f.refs.map((r) => r.path).sort()[0];
      else f.path = f.aliases.has(f.realPath) ? f.realPath : f.aliases.size === 1 ? f.path : [...f.aliases].sort()[0];
    }
  }

  /** Issuer of a certificate among the candidates, by signature. */
  issuerOf(cert: CertEntry | { path: string; facts: CertFacts }, candidates: readonly IssuerCandidate[]): string | null {
    // A self-signed certificate is its own issuer, on the node by definition.
    if (!plainlyNotIssued(cert.facts, cert.facts) && this.issued(cert.facts, cert.facts)) return cert.path;
    // Most candidates are plainly not the issuer (names, key ids): they are left out before the
    // ordering, which then sorts one or two (the order of the rest is the order of all, filtered).
    let possible: IssuerCandidate[] | undefined;
    for (const c of candidates) {
      if (c.facts.sha256 === cert.facts.sha256 || plainlyNotIssued(cert.facts, c.facts)) continue;
      (possible ??= []).push(c);
    }
    if (!possible) return null;
    for (const c of possible.length === 1 ? possible : orderCandidates(possible, dirOf(cert.path))) {
      if (this.issued(cert.facts, c.facts)) return c.path;
    }
    return null;
  }

  /** Whether `parent` issued `child`, for a pair plainlyNotIssued let through (names or key ids that differ settle it without a cache key). */
  private issued(child: CertFacts, parent: CertFacts): boolean {
    const k = `${child.sha256}:${parent.sha256}`;
    let ok = issued.get(k);
    if (ok === undefined) {
      ok = issuedBy(child, parent);
      issued.offer(k, ok);
    }
    return ok;
  }
}

// Paths and their roles as two arrays: a for-of of [path, roles] pairs destructures each pair through its iterator.
const USUAL_KUBECONFIG_PATHS = Object.keys(USUAL_KUBECONFIGS);
const USUAL_KUBECONFIG_ROLES = USUAL_KUBECONFIG_PATHS.map((p) => USUAL_KUBECONFIGS[p]);

/** Kubeconfig files to read: referenced ones, the usual names, and `*.kubeconfig` in the usual directories. */
function kubeconfigPaths(scan: Scan, refs: readonly FileReference[]): Map<string, { roles: Set<string>; refs: FileReference[] }> {
  const out = new Map<string, { roles: Set<string>; refs: FileReference[] }>();
  const entry = (p: string) => {
    let e = out.get(p);
    if (!e) out.set(p, (e = { roles: new Set(), refs: [] }));
    return e;
  };
  for (const r of refs) {
    if (r.kind !== 'kubeconfig') continue;
    const e = entry(r.path);
    e.roles.add(r.role);
    e.refs.push(r);
  }
  for (let i = 0; i < USUAL_KUBECONFIG_PATHS.length; i++) {
    const p = USUAL_KUBECONFIG_PATHS[i];
    if (!scan.tree.isFile(p)) continue;
    const e = entry(p);
    if (e.refs.length === 0) for (const r of USUAL_KUBECONFIG_ROLES[i]) e.roles.add(r);
  }
  for (const dir of KUBECONFIG_DIRS) {
    for (const name of scan.tree.list(dir)) {
      if (!name.endsWith('.kubeconfig')) continue;
      const p = joinNodePath(dir, name);
      if (scan.tree.isFile(p)) entry(p);
    }
  }
  return out;
}

/** Certificates of the blocks of shared PEM reads (readPemFile): the CA file every node holds is parsed once, unhashed. */
const sharedBlocks = new WeakMap<PemBlock, ReturnType<typeof parseCertificate>>();

function sharedCertificate(block: PemBlock): ReturnType<typeof parseCertificate> {
  let parsed = sharedBlocks.get(block);
  if (parsed === undefined) {
    parsed = parseCertificate(block.der);
    sharedBlocks.set(block, parsed);
  }
  return parsed;
}

function readFilePem(scan: Scan, f: PemFile): void {
  const data = scan.tree.readBytes(f.path);
  if (!data) return;
  const { read, shared } = readPemFile(data);
  f.pem = read;
  const referenced = f.refs.length > 0;
  const component = f.refs[0]?.component || undefined;
  const sev: Severity = referenced ? 'error' : 'warning';
  // Only a finding needs it.
  const who = (): string => (referenced ? ` (${describeRef(f.refs[0])})` : '');
  const p = f.path;
  switch (f.pem.format) {
    case 'empty':
      scan.finding(sev, 'pem-empty', p, `${p}${who()} is empty: it holds no certificate or key.`, component);
      return;
    case 'der':
      scan.finding(sev, 'pem-der', p, `${p}${who()} is DER (binary); Kubernetes components read PEM. Convert it with openssl x509 -inform der.`, component);
      return;
    case 'text': {
      const placeholder = data.toString('latin1').trim() === 'REDACTED';
      scan.finding(
        sev,
        'pem-missing',
        p,
        placeholder ? `${p}${who()} holds the placeholder text REDACTED, not a PEM certificate or key.` : `${p}${who()} holds no PEM block.`,
        component,
      );
      return;
    }
    default:
      break;
  }
  for (const prob of f.pem.problems) {
    if (prob.kind === 'truncated') {
      scan.finding(sev, 'pem-truncated', p, `${p}${who()}: the ${prob.label} block at line ${prob.line} has no END marker (truncated file?).`, component, prob.line);
    } else {
      scan.finding(sev, 'pem-invalid', p, `${p}${who()}: the ${prob.label} block at line ${prob.line} is not valid base64.`, component, prob.line);
    }
  }
  let certIndex = 0;
  for (const block of f.pem.blocks) {
    if (CERTIFICATE_LABELS.has(block.label)) {
      const parsed = shared ? sharedCertificate(block) : parseCertificate(block.der);
      if ('error' in parsed) {
        scan.finding(sev, 'cert-unparseable', p, `${p}${who()}: the certificate at line ${block.line} is ${parsed.error}.`, component, block.line);
        continue;
      }
      const path = certIndex === 0 ? f.path : `${f.path}#${certIndex}`;
      f.certs.push({ path, file: f, index: certIndex, facts: parsed.cert, roles: new Set() });
      certIndex++;
    } else if (PRIVATE_KEY_LABELS.has(block.label) || PUBLIC_KEY_LABELS.has(block.label)) {
      const k = readKeyBlock(block);
      if (k.kind === 'invalid') {
        scan.finding(sev, 'key-unparseable', p, `${p}${who()}: the ${block.label} block at line ${block.line} could not be read as a key.`, component, block.line);
      } else if (k.kind === 'private') f.privateKeyIds.push(k.publicKeyId);
    }
  }
  if (f.certs.length > 0) return;
  const expectsCert = f.refs.some((r) => r.kind === 'certificate' || r.kind === 'ca') || (f.refs.length === 0 && CERT_ONLY_PATTERN.test(f.path));
  if (expectsCert && f.pem.blocks.some((b) => PRIVATE_KEY_LABELS.has(b.label))) {
    scan.finding(sev, 'key-where-cert-expected', p, `${p}${who()} holds a private key where a certificate is expected.`, component);
  }
}

function assignRoles(f: PemFile): void {
  if (f.certs.length === 0) return;
  for (const r of f.refs) {
    if (!r.role) continue;
    if (r.kind === 'ca') for (const c of f.certs) c.roles.add(r.role);
    else f.certs[0].roles.add(r.role);
  }
  if (f.refs.length === 0) {
    for (const alias of f.aliases) addKubeadmRoles(f.certs[0], alias);
    addKubeadmRoles(f.certs[0], f.realPath);
  }
}

/** KUBEADM_CERT_ROLES as a Map: a property lookup by a path made at run time first interns the path. */
const KUBEADM_ROLES = new Map(Object.entries(KUBEADM_CERT_ROLES));

function addKubeadmRoles(c: CertEntry, path: string): void {
  const roles = KUBEADM_ROLES.get(path);
  if (roles) for (const role of roles) c.roles.add(role);
}

/** The file part of a reference's source (`/etc/kubernetes/manifests/kube-apiserver.yaml:12`). */
function sourceFile(source: string): string {
  const i = source.indexOf(':');
  return i < 0 ? source : source.slice(0, i);
}

/** Key files a certificate is expected to be used with: named by the paired flag, by naming convention, or the same file. */
function expectedKeyFiles(scan: Scan, f: PemFile, keyRefs: readonly FileReference[]): PemFile[] {
  const paths = new Set<string>();
  for (const r of f.refs) {
    const keyVia = r.kind === 'certificate' || r.kind === 'ca' ? ruleFor(r.component, r.via)?.keyVia ?? KUBECONFIG_KEY_VIA[r.via] : undefined;
    // Nothing pairs with a reference that names no key flag and is not a certificate.
    if (!keyVia && r.kind !== 'certificate') continue;
    for (const k of keyRefs) {
      const paired = keyVia ? k.via === keyVia : k.via === r.via;
      if (paired && k.component === r.component && sourceFile(k.source) === sourceFile(r.source)) paths.add(k.path);
    }
  }
  if (paths.size === 0) {
    for (const alias of f.aliases) {
      if (alias.endsWith('.crt')) paths.add(`${alias.slice(0, -4)}.key`);
      else if (alias.endsWith('.pem') && !alias.endsWith('-key.pem')) paths.add(`${alias.slice(0, -4)}-key.pem`);
    }
  }
  const out: PemFile[] = [];
  if (f.privateKeyIds.length > 0) out.push(f);
  for (const p of paths) {
    const real = scan.tree.realPath(p);
    const kf = real ? scan.files.get(real) : undefined;
    if (kf && kf.privateKeyIds.length > 0 && !out.includes(kf)) out.push(kf);
  }
  return out;
}

/**
 * Whether a certificate may serve two roles: one that holds two, or two with the same fingerprint
 * holding one each. Compared pairwise for a few certificates (a node holds three to a dozen); past
 * that, true (the map below tells).
 */
function mayServeTwoRoles(certs: readonly CertEntry[]): boolean {
  if (certs.length > 32) return true;
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i];
    if (c.roles.size > 1) return true;
    if (c.roles.size === 0) continue;
    for (let j = 0; j < i; j++) if (certs[j].roles.size > 0 && certs[j].facts.sha256 === c.facts.sha256) return true;
  }
  return false;
}

function leastPrivilegeFindings(scan: Scan, certs: readonly CertEntry[]): void {
  if (!mayServeTwoRoles(certs)) return;
  const bySha = new Map<string, { roles: Set<string>; paths: string[] }>();
  for (const c of certs) {
    const e = bySha.get(c.facts.sha256) ?? { roles: new Set<string>(), paths: [] };
    for (const r of c.roles) e.roles.add(r);
    e.paths.push(c.path);
    bySha.set(c.facts.sha256, e);
  }
  for (const e of bySha.values()) {
    // Fewer than two roles cannot hold two independent ones.
    if (e.roles.size < 2) continue;
    const roles = [...e.roles].sort();
    const independent = roles.filter((r, i) => !roles.slice(0, i).some((q) => COMPATIBLE_ROLES.some((g) => g.includes(q) && g.includes(r))));
    if (independent.length < 2) continue;
    const paths = [...e.paths].sort();
    const where = paths.length > 1 ? ` (the same certificate at ${paths.join(', ')})` : '';
    scan.finding(
      'warning',
      'cert-multiple-roles',
      paths[0],
      `${paths[0]} serves ${roles.length} roles: ${roles.join(', ')}${where}. One certificate per role limits what a stolen key can do.`,
    );
  }
}

function expiryFinding(scan: Scan, status: Status, path: string, what: string, notBefore: string, notAfter: string): void {
  if (status === 'expired') scan.finding('error', 'cert-expired', path, `${what} expired on ${day(notAfter)}.`);
  else if (status === 'expiring') scan.finding('warning', 'cert-expiring', path, `${what} expires on ${day(notAfter)}, within ${scan.expiringDays} days.`);
  else if (status === 'not-yet-valid') scan.finding('warning', 'cert-not-yet-valid', path, `${what} is not valid before ${day(notBefore)}.`);
}

/**
 * Embedded certificates by the data buffer a kubeconfig read holds: reads are cached by content,
 * so every node with the same kubelet.conf hands over the same buffer, and its PEM is read once.
 */
const embeddedCerts = new WeakMap<Buffer, CertFacts | null>();

/** Parses an embedded `*-data` value as its first PEM certificate. */
function embeddedCert(data: Buffer): CertFacts | null {
  let facts = embeddedCerts.get(data);
  if (facts === undefined) {
    const block = readPem(data).blocks.find((b) => CERTIFICATE_LABELS.has(b.label));
    const parsed = block ? parseCertificate(block.der) : null;
    facts = parsed && 'cert' in parsed ? parsed.cert : null;
    embeddedCerts.set(data, facts);
  }
  return facts;
}

function notPem(d: { placeholder: boolean }): string {
  return d.placeholder ? 'holds the placeholder REDACTED, not a PEM certificate' : 'is not a base64 PEM certificate';
}

interface KubeconfigWork {
  path: string;
  roles: Set<string>;
  read: KubeconfigRead;
  caEmbedded: CertFacts | null;
  clientEmbedded: CertFacts | null;
  caFile: string | null;
  clientFile: string | null;
}

function readKubeconfigs(scan: Scan, refs: readonly FileReference[]): { work: KubeconfigWork[]; extraRefs: FileReference[] } {
  const work: KubeconfigWork[] = [];
  const extraRefs: FileReference[] = [];
  for (const [path, { roles, refs: kcRefs }] of kubeconfigPaths(scan, refs)) {
    // The component that uses it: from the flag that names it, else from its usual role (`kubelet:kubeconfig`).
    const component = kcRefs[0]?.component ?? [...roles].map((r) => r.split(':')[0]).find((c) => c !== 'admin' && c !== 'super-admin');
    const refComponent = component ?? '';
    const text = scan.tree.readText(path);
    if (text === null) {
      const required = kcRefs.filter((r) => !ruleFor(r.component, r.via)?.optional);
      if (required.length > 0 && !scan.tree.exists(path)) {
        scan.finding('warning', 'kubeconfig-missing', path, `${path} (${describeRef(required[0])}) is not on the node.`, component);
      }
      continue;
    }
    const read = parseKubeconfig(text);
    for (const prob of read.problems) scan.finding('warning', 'kubeconfig-invalid', path, `${path} ${prob}.`, component);
    if (read.insecureSkipTLSVerify) {
      scan.finding('warning', 'kubeconfig-insecure', path, `${path} sets insecure-skip-tls-verify: the server's certificate is not checked.`, component);
    }
    if (!read.valid) continue;
    const w: KubeconfigWork = { path, roles, read, caEmbedded: null, clientEmbedded: null, caFile: null, clientFile: null };
    const base = dirOf(path);
    const source = path;
    if (read.ca?.kind === 'embedded') {
      w.caEmbedded = embeddedCert(read.ca.data);
      if (!w.caEmbedded) scan.finding('warning', 'kubeconfig-data-invalid', path, `${path}: certificate-authority-data ${notPem(read.ca)}.`, component);
    } else if (read.ca?.kind === 'file') {
      w.caFile = resolveNodePath(read.ca.path, base);
      extraRefs.push({ path: w.caFile, component: refComponent, via: 'certificate-authority', kind: 'ca', role: '', source });
    }
    const cc = read.clientCertificate;
    if (cc?.kind === 'embedded') {
      w.clientEmbedded = embeddedCert(cc.data);
      if (!w.clientEmbedded) scan.finding('warning', 'kubeconfig-data-invalid', path, `${path}: client-certificate-data ${notPem(cc)}.`, component);
    } else if (cc?.kind === 'empty') {
      scan.finding('warning', 'kubeconfig-data-invalid', path, `${path}: client-certificate-data is empty.`, component);
    } else if (cc?.kind === 'file') {
      w.clientFile = resolveNodePath(cc.path, base);
      const rolesOrNone = roles.size > 0 ? [...roles] : [''];
      for (const role of rolesOrNone) {
        const clientRole = role ? kubeconfigClientRole(role) : '';
        extraRefs.push({ path: w.clientFile, component: refComponent, via: 'client-certificate', kind: 'certificate', role: clientRole, source });
        if (read.clientKey?.kind === 'file') {
          extraRefs.push({ path: resolveNodePath(read.clientKey.path, base), component: refComponent, via: 'client-key', kind: 'key', role: clientRole, source });
        }
      }
    }
    if (read.clientKey?.kind === 'embedded' && w.clientEmbedded && read.clientKey.publicKeyId !== null && read.clientKey.publicKeyId !== w.clientEmbedded.publicKeyId) {
      scan.finding('error', 'kubeconfig-key-mismatch', path, `${path}: client-key-data does not belong to client-certificate-data.`, component);
    }
    work.push(w);
  }
  return { work, extraRefs };
}

/** The CA file on the node equal to a trusted CA: beside the kubeconfig first, then a cluster CA, then by path. */
function equalCA(cas: readonly CertEntry[], facts: CertFacts, kubeconfigPath: string): string | null {
  const rank = (c: CertEntry) => (dirOf(c.path) === dirOf(kubeconfigPath) ? 0 : c.roles.has('cluster-ca') ? 1 : 2);
  const same = cas.filter((c) => c.facts.sha256 === facts.sha256).sort((a, b) => rank(a) - rank(b) || compareText(a.path, b.path));
  return same[0]?.path ?? null;
}

function toCertificate(c: CertEntry, issuerPath: string | null, privateKey: Certificate['privateKey'], status: Status): Certificate {
  const f = c.facts;
  const out: Certificate = {
    path: c.path,
    subject: f.subject,
    issuer: f.issuer,
    serial: f.serial,
    notBefore: f.notBefore,
    notAfter: f.notAfter,
    // Copies: the facts are shared by every node that holds the same certificate.
    sans: [...f.sans],
    isCA: f.isCA,
    keyUsage: [...f.keyUsage],
    extKeyUsage: [...f.extKeyUsage],
    publicKey: f.publicKey,
    sha256: f.sha256,
    roles: [...c.roles].sort(),
    issuerPath,
    privateKey,
    status,
  };
  if (c.index === 0 && c.file.path !== c.file.realPath) out.linkTarget = c.file.realPath;
  return out;
}

/** Certificates and kubeconfigs of a node: followed from references first, then the usual directories. */
export function scanCredentials(
  tree: FileTree,
  refs: readonly FileReference[],
  options: ScanOptions = {},
): { certificates: Certificate[]; kubeconfigs: Kubeconfig[]; findings: Finding[] } {
  const scan = new Scan(tree, options);
  const { work, extraRefs } = readKubeconfigs(scan, refs);
  const allRefs = [...refs, ...extraRefs];

  const missing = new Set<string>();
  for (const r of allRefs) {
    if (r.kind !== 'certificate' && r.kind !== 'key' && r.kind !== 'ca') continue;
    if (!scan.addFile(r.path, r) && !missing.has(r.path)) {
      missing.add(r.path);
      scan.finding('warning', 'referenced-file-missing', r.path, `${r.path} (${describeRef(r)}) is not on the node.`, r.component || undefined);
    }
  }
  for (const dir of USUAL_CERT_DIRS) {
    if (dir.deep) {
      for (const p of tree.walkFiles(dir.path, isCertFileName)) scan.addFile(p, null);
      continue;
    }
    // A name and its path end alike; addFile skips what is not a regular file.
    for (const n of tree.list(dir.path)) if (CERT_FILE_PATTERN.test(n)) scan.addFile(joinNodePath(dir.path, n), null);
  }

  scan.settlePaths();
  const files = [...scan.files.values()].sort(byPathOf);
  for (const f of files) {
    readFilePem(scan, f);
    assignRoles(f);
  }
  const keyRefs: FileReference[] = [];
  for (const r of allRefs) if (r.kind === 'key') keyRefs.push(r);
  const certs: CertEntry[] = [];
  const privateKeys = new Set<string>();
  for (const f of files) {
    for (const c of f.certs) certs.push(c);
    for (const d of f.privateKeyIds) privateKeys.add(d);
  }
  const candidates: IssuerCandidate[] = [];
  for (const c of certs) candidates.push({ path: c.path, facts: c.facts, embedded: false });
  for (const w of work) if (w.caEmbedded) candidates.push({ path: `${w.path}#ca`, facts: w.caEmbedded, embedded: true });

  const certificates: Certificate[] = [];
  for (const c of certs) {
    const issuerPath = scan.issuerOf(c, candidates);
    c.issuerPath = issuerPath;
    if (!issuerPath) {
      scan.finding('info', 'issuer-not-on-node', c.path, `${c.path} was issued by ${c.facts.issuer || 'an unnamed CA'}, whose certificate is not on the node (or its signature does not verify).`);
    }
    const keyId = c.facts.publicKeyId;
    let privateKey: Certificate['privateKey'] = privateKeys.has(keyId) ? 'present' : 'absent';
    if (c.index === 0) {
      const expected = expectedKeyFiles(scan, c.file, keyRefs);
      if (expected.length > 0 && !expected.some((k) => k.privateKeyIds.includes(keyId))) {
        privateKey = 'mismatch';
        scan.finding('error', 'key-mismatch', c.path, `${c.path}: its private key ${expected.map((k) => k.path).join(', ')} does not match the certificate.`);
      }
    }
    const status = statusAt(c.facts.notBeforeMs, c.facts.notAfterMs, scan.now, scan.expiringDays);
    expiryFinding(scan, status, c.path, `${c.path} (${c.facts.subject})`, c.facts.notBefore, c.facts.notAfter);
    certificates.push(toCertificate(c, issuerPath, privateKey, status));
  }
  leastPrivilegeFindings(scan, certs);

  const byPath = new Map<string, CertEntry>();
  const fileCAs: CertEntry[] = [];
  for (const f of files) {
    if (f.certs.length === 0) continue;
    for (const alias of f.aliases) byPath.set(alias, f.certs[0]);
    byPath.set(f.realPath, f.certs[0]);
    byPath.set(f.path, f.certs[0]);
  }
  for (const c of certs) if (c.facts.isCA) fileCAs.push(c);
  const kubeconfigs: Kubeconfig[] = [];
  for (const w of work) {
    const r = w.read;
    const clientEntry = w.clientEmbedded || !w.clientFile ? undefined : byPath.get(w.clientFile);
    const client = w.clientEmbedded ?? clientEntry?.facts ?? null;
    const caFacts = w.caEmbedded ?? (w.caFile ? byPath.get(w.caFile)?.facts ?? null : null);
    const caCert = w.caFile && byPath.has(w.caFile) ? w.caFile : caFacts ? equalCA(fileCAs, caFacts, w.path) : null;
    const kc: Kubeconfig = {
      path: w.path,
      server: r.server,
      user: client ? nameValues(client.subjectAttrs, 'CN')[0] ?? null : r.auth === 'token' ? r.tokenIdentity : r.auth === 'exec' ? r.execCommand : null,
      groups: client ? nameValues(client.subjectAttrs, 'O').sort() : [],
      auth: r.auth,
      ca: r.ca?.kind === 'embedded' ? `${w.path}#ca` : w.caFile,
      clientCertificate: r.clientCertificate?.kind === 'embedded' ? `${w.path}#client-certificate` : w.clientFile,
      roles: [...w.roles].sort(),
      caCertificate: caCert,
    };
    if (client) {
      const status = statusAt(client.notBeforeMs, client.notAfterMs, scan.now, scan.expiringDays);
      kc.clientCertificateNotAfter = client.notAfter;
      kc.clientCertificateStatus = status;
      const clientPath = kc.clientCertificate ?? w.path;
      // The file's certificate under the same path has its issuer already (issuerOf reads only the path and the facts).
      kc.clientCertificateIssuer =
        clientEntry?.path === clientPath && clientEntry.issuerPath !== undefined ? clientEntry.issuerPath : scan.issuerOf({ path: clientPath, facts: client }, candidates);
      // A file-based client certificate already has its own expiry finding.
      if (w.clientEmbedded) expiryFinding(scan, status, w.path, `The client certificate in ${w.path} (${client.subject})`, client.notBefore, client.notAfter);
    }
    kubeconfigs.push(kc);
  }

  // Certificates come in the order of `files` (sorted by path), each file's first under the file's
  // own path: only a file's second certificate (`<path>#1`) can be out of that order.
  if (certificates.length > 1 && certs.some((c) => c.index > 0)) certificates.sort(byPathOf);
  if (kubeconfigs.length > 1) kubeconfigs.sort(byPathOf);
  // Nothing to order or merge in none or one (most nodes have none).
  const findings = scan.findings.length > 1 ? dedupe(scan.findings.sort(byFinding)) : scan.findings;
  return { certificates, kubeconfigs, findings };
}

function byPathOf(a: { path: string }, b: { path: string }): number {
  return compareText(a.path, b.path);
}

function byFinding(a: Finding, b: Finding): number {
  return compareText(a.path ?? '', b.path ?? '') || compareText(a.code, b.code) || compareText(a.message, b.message);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.path}\u0000${f.code}\u0000${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
