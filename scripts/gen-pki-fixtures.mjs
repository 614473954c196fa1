#!/usr/bin/env node
/**
 * Generates the PKI half of kdiff's fixture node trees with the `openssl` CLI (only this script
 * shells out; kdiff itself reads certificates with Node's crypto.X509Certificate).
 *
 *   node scripts/gen-pki-fixtures.mjs            # writes into fixtures/
 *   node scripts/gen-pki-fixtures.mjs OUTDIR     # writes elsewhere (to compare)
 *
 * What kubeadm issues is taken from cmd/kubeadm/app/phases/certs/certlist.go (v1.12 era): names,
 * subjects, SANs and extended key usages; leaves carry digitalSignature+keyEncipherment, CAs add
 * keyCertSign. The hard way's are cfssl's (ca-csr.json, kubernetes-csr.json, profile "kubernetes":
 * signing, key encipherment, server auth, client auth). Dates, serials, subjects and the token and
 * encryption secret are fixed; RSA keys are random (openssl cannot seed them), so a run rewrites
 * keys, signatures and fingerprints. Validity is long on purpose (until 2046-2048) so tests keep
 * passing; pki-cases holds the expired (2020) and expiring (2040, tests inject `now`) cases.
 *
 * Only files this script owns are written; manifests and units from other fixture writers stay.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, lstatSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(process.argv[2] ?? join(here, '..', 'fixtures'));
const WORK = mkdtempSync(join(tmpdir(), 'kdiff-pki-'));
let serialCounter = 0x1000;

function openssl(args, input) {
  return execFileSync('openssl', args, { cwd: WORK, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function write(root, nodePath, data) {
  const file = join(OUT, root, nodePath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function symlink(root, nodePath, target) {
  const file = join(OUT, root, nodePath);
  mkdirSync(dirname(file), { recursive: true });
  try {
    lstatSync(file);
    unlinkSync(file);
  } catch {
    // not there yet
  }
  symlinkSync(target, file);
}

/** A fresh key: RSA 2048 in PKCS#1 (`RSA PRIVATE KEY`, as kubeadm and cfssl write it) or EC P-256 (SEC1, the kubelet's). */
function newKey(type = 'rsa') {
  const out = join(WORK, `key-${++serialCounter}.pem`);
  if (type === 'ec') openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', out]);
  else openssl(['genrsa', '-traditional', '-out', out, '2048']);
  return { file: out, pem: readFileSync(out, 'utf8') };
}

function subj(parts) {
  return '/' + parts.map(([k, v]) => `${k}=${v.replace(/\//g, '\\/')}`).join('/');
}

function asn1Time(iso) {
  // UTCTime up to 2049, as RFC 5280 requires.
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  const y = d.getUTCFullYear();
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return y < 2050 ? `${String(y).slice(2)}${body}` : `${y}${body}`;
}

/**
 * Issues a certificate with `openssl ca` (the only OpenSSL 3.0 command that takes fixed dates).
 * `issuer` null means self-signed. `ext` is an OpenSSL extension section body.
 */
function issue({ key, subject, issuer, notBefore, notAfter, ext, serial }) {
  const id = ++serialCounter;
  const dir = join(WORK, `ca-${id}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(join(dir, 'serial'), `${serial ?? id.toString(16).padStart(4, '0')}\n`);
  const conf = join(dir, 'openssl.cnf');
  writeFileSync(
    conf,
    [
      '[ca]',
      'default_ca = kdiff',
      '[kdiff]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      'default_md = sha256',
      'policy = any',
      'email_in_dn = no',
      'copy_extensions = none',
      '[any]',
      'commonName = optional',
      'organizationName = optional',
      'organizationalUnitName = optional',
      'countryName = optional',
      'stateOrProvinceName = optional',
      'localityName = optional',
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[ext]',
      ext,
      '',
    ].join('\n'),
  );
  const csr = join(dir, 'req.csr');
  openssl(['req', '-new', '-config', conf, '-key', key.file, '-subj', subject, '-out', csr]);
  const out = join(dir, 'cert.pem');
  const args = ['ca', '-config', conf, '-batch', '-notext', '-preserveDN', '-in', csr, '-out', out, '-extensions', 'ext',
    '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)];
  if (issuer) args.push('-cert', issuer.certFile, '-keyfile', issuer.key.file);
  else args.push('-selfsign', '-keyfile', key.file);
  openssl(args);
  const pem = readFileSync(out, 'utf8');
  return { key, certFile: out, pem };
}

function der(cert) {
  return openssl(['x509', '-in', cert.certFile, '-outform', 'DER']);
}

const b64 = (s) => Buffer.from(s).toString('base64');

const KUBEADM_CA_EXT = 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, digitalSignature, keyEncipherment, keyCertSign\nsubjectKeyIdentifier = hash';
function kubeadmLeafExt(eku, sans) {
  const lines = ['keyUsage = critical, digitalSignature, keyEncipherment', `extendedKeyUsage = ${eku}`, 'authorityKeyIdentifier = keyid'];
  if (sans) lines.push(`subjectAltName = ${sans}`);
  return lines.join('\n');
}
const CFSSL_CA_EXT = 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash';
function cfsslLeafExt(sans) {
  const lines = [
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth, clientAuth',
    'basicConstraints = critical, CA:FALSE',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ];
  if (sans) lines.push(`subjectAltName = ${sans}`);
  return lines.join('\n');
}

/** The kubeconfig shape `kubeadm init` writes (kubeconfig phase): everything embedded. */
function kubeadmKubeconfig({ server, ca, user, cert, clusterName = 'kubernetes' }) {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(ca.pem)}
    server: ${server}
  name: ${clusterName}
contexts:
- context:
    cluster: ${clusterName}
    user: ${user}
  name: ${user}@${clusterName}
current-context: ${user}@${clusterName}
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(cert.pem)}
    client-key-data: ${b64(cert.key.pem)}
`;
}

/** The kubelet's own self-signed serving pair: a throwaway CA and a cert, written together (client-go cert.GenerateSelfSignedCertKey). */
function kubeletSelfSigned(host, ip, epoch, notBefore, notAfter) {
  const caKey = newKey();
  const ca = issue({
    key: caKey,
    subject: subj([['CN', `${host}-ca@${epoch}`]]),
    issuer: null,
    notBefore,
    notAfter,
    ext: 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, digitalSignature, keyEncipherment, keyCertSign',
  });
  const key = newKey();
  const cert = issue({
    key,
    subject: subj([['CN', `${host}@${epoch}`]]),
    issuer: ca,
    notBefore,
    notAfter,
    ext: `keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\nbasicConstraints = critical, CA:FALSE\nsubjectAltName = DNS:${host}, IP:${ip}`,
  });
  return { crt: cert.pem + ca.pem, key: key.pem };
}

// ---------------------------------------------------------------- kubeadm master (v1.12)
const NB = '2018-10-01T10:00:00Z';
const CA_END = '2048-09-26T10:00:00Z';
const LEAF_END = '2046-10-01T10:00:00Z';

function kubeadmMaster() {
  const root = 'seed-kubeadm-master';
  const host = 'master';
  const ip = '10.240.0.20';
  const pki = '/etc/kubernetes/pki';
  const ca = issue({ key: newKey(), subject: subj([['CN', 'kubernetes']]), issuer: null, notBefore: NB, notAfter: CA_END, ext: KUBEADM_CA_EXT, serial: '00' });
  const leaf = (cn, o, eku, sans, issuer) =>
    issue({
      key: newKey(),
      subject: subj(o ? [['O', o], ['CN', cn]] : [['CN', cn]]),
      issuer,
      notBefore: NB,
      notAfter: LEAF_END,
      ext: kubeadmLeafExt(eku, sans),
    });
  const apiserver = leaf('kube-apiserver', null, 'serverAuth',
    `DNS:${host}, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:10.96.0.1, IP:${ip}`, ca);
  const kubeletClient = leaf('kube-apiserver-kubelet-client', 'system:masters', 'clientAuth', null, ca);
  const fpCa = issue({ key: newKey(), subject: subj([['CN', 'front-proxy-ca']]), issuer: null, notBefore: NB, notAfter: CA_END, ext: KUBEADM_CA_EXT, serial: '00' });
  const fpClient = leaf('front-proxy-client', null, 'clientAuth', null, fpCa);
  const etcdCa = issue({ key: newKey(), subject: subj([['CN', 'etcd-ca']]), issuer: null, notBefore: NB, notAfter: CA_END, ext: KUBEADM_CA_EXT, serial: '00' });
  const etcdServer = leaf(host, null, 'serverAuth, clientAuth', `DNS:${host}, DNS:localhost, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1`, etcdCa);
  const etcdPeer = leaf(host, null, 'serverAuth, clientAuth', `DNS:${host}, DNS:localhost, IP:${ip}, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1`, etcdCa);
  const etcdHealth = leaf('kube-etcd-healthcheck-client', 'system:masters', 'clientAuth', null, etcdCa);
  const etcdClient = leaf('kube-apiserver-etcd-client', 'system:masters', 'clientAuth', null, etcdCa);
  const files = {
    ca,
    apiserver,
    'apiserver-kubelet-client': kubeletClient,
    'apiserver-etcd-client': etcdClient,
    'front-proxy-ca': fpCa,
    'front-proxy-client': fpClient,
    'etcd/ca': etcdCa,
    'etcd/server': etcdServer,
    'etcd/peer': etcdPeer,
    'etcd/healthcheck-client': etcdHealth,
  };
  for (const [name, c] of Object.entries(files)) {
    write(root, `${pki}/${name}.crt`, c.pem);
    write(root, `${pki}/${name}.key`, c.key.pem);
  }
  const sa = newKey();
  write(root, `${pki}/sa.key`, sa.pem);
  write(root, `${pki}/sa.pub`, openssl(['rsa', '-in', sa.file, '-pubout']));

  const server = `https://${ip}:6443`;
  const client = (cn, o) => leaf(cn, o, 'clientAuth', null, ca);
  write(root, '/etc/kubernetes/admin.conf', kubeadmKubeconfig({ server, ca, user: 'kubernetes-admin', cert: client('kubernetes-admin', 'system:masters') }));
  write(root, '/etc/kubernetes/controller-manager.conf',
    kubeadmKubeconfig({ server, ca, user: 'system:kube-controller-manager', cert: client('system:kube-controller-manager', null) }));
  write(root, '/etc/kubernetes/scheduler.conf', kubeadmKubeconfig({ server, ca, user: 'system:kube-scheduler', cert: client('system:kube-scheduler', null) }));
  write(root, '/etc/kubernetes/kubelet.conf', kubeadmKubeconfig({ server, ca, user: `system:node:${host}`, cert: client(`system:node:${host}`, 'system:nodes') }));
  const self = kubeletSelfSigned(host, ip, 1538388000, NB, LEAF_END);
  write(root, '/var/lib/kubelet/pki/kubelet.crt', self.crt);
  write(root, '/var/lib/kubelet/pki/kubelet.key', self.key);
  return ca;
}

// ---------------------------------------------------------------- kubeadm worker (v1.12, after TLS bootstrap)
const BOOTSTRAP_TOKEN = 'x7k2qp.9f3d1c8b4e6a0t5w';

function kubeadmWorker(ca) {
  const root = 'seed-kubeadm-worker';
  const host = 'node1';
  const ip = '10.240.0.21';
  const server = 'https://10.240.0.20:6443';
  write(root, '/etc/kubernetes/pki/ca.crt', ca.pem);
  write(root, '/etc/kubernetes/bootstrap-kubelet.conf', `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(ca.pem)}
    server: ${server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: tls-bootstrap-token-user
  name: tls-bootstrap-token-user@kubernetes
current-context: tls-bootstrap-token-user@kubernetes
kind: Config
preferences: {}
users:
- name: tls-bootstrap-token-user
  user:
    token: ${BOOTSTRAP_TOKEN}
`);
  // What the kubelet itself writes after the CSR is approved (pkg/kubelet/certificate/bootstrap).
  write(root, '/etc/kubernetes/kubelet.conf', `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(ca.pem)}
    server: ${server}
  name: default-cluster
contexts:
- context:
    cluster: default-cluster
    namespace: default
    user: default-auth
  name: default-context
current-context: default-context
kind: Config
preferences: {}
users:
- name: default-auth
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
`);
  // The kubelet's client key is ECDSA P-256 and the CSR signer backdates notBefore by 5 minutes.
  const key = newKey('ec');
  const cert = issue({
    key,
    subject: subj([['O', 'system:nodes'], ['CN', `system:node:${host}`]]),
    issuer: ca,
    notBefore: '2018-10-02T10:15:30Z',
    notAfter: LEAF_END,
    ext: 'keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\nbasicConstraints = critical, CA:FALSE\nauthorityKeyIdentifier = keyid',
  });
  const dated = 'kubelet-client-2018-10-02-10-20-30.pem';
  write(root, `/var/lib/kubelet/pki/${dated}`, cert.pem + key.pem);
  symlink(root, '/var/lib/kubelet/pki/kubelet-client-current.pem', `/var/lib/kubelet/pki/${dated}`);
  const self = kubeletSelfSigned(host, ip, 1538475600, NB, LEAF_END);
  write(root, '/var/lib/kubelet/pki/kubelet.crt', self.crt);
  write(root, '/var/lib/kubelet/pki/kubelet.key', self.key);
}

// ---------------------------------------------------------------- Kubernetes The Hard Way controller (1.12, cfssl)
function hardWayController() {
  const root = 'seed-hard-way-controller';
  const nb = '2018-10-01T09:00:00Z';
  const place = [['C', 'US'], ['ST', 'Oregon'], ['L', 'Portland']];
  const ca = issue({
    key: newKey(),
    subject: subj([...place, ['O', 'Kubernetes'], ['OU', 'CA'], ['CN', 'Kubernetes']]),
    issuer: null,
    notBefore: nb,
    notAfter: CA_END,
    ext: CFSSL_CA_EXT,
    serial: '5d1c0b3e9a7f2468ace013579bdf02468ace1357',
  });
  const leaf = (cn, o, ou, sans) =>
    issue({ key: newKey(), subject: subj([...place, ['O', o], ['OU', ou], ['CN', cn]]), issuer: ca, notBefore: nb, notAfter: LEAF_END, ext: cfsslLeafExt(sans) });
  const kubernetes = leaf('kubernetes', 'Kubernetes', 'Kubernetes The Hard Way',
    'IP:10.32.0.1, IP:10.240.0.10, IP:10.240.0.11, IP:10.240.0.12, IP:203.0.113.10, IP:127.0.0.1, DNS:kubernetes.default');
  const sa = leaf('service-accounts', 'Kubernetes', 'Kubernetes The Hard Way', null);
  const lib = '/var/lib/kubernetes';
  write(root, `${lib}/ca.pem`, ca.pem);
  write(root, `${lib}/ca-key.pem`, ca.key.pem);
  write(root, `${lib}/kubernetes.pem`, kubernetes.pem);
  write(root, `${lib}/kubernetes-key.pem`, kubernetes.key.pem);
  write(root, `${lib}/service-account.pem`, sa.pem);
  write(root, `${lib}/service-account-key.pem`, sa.key.pem);
  write(root, '/etc/etcd/ca.pem', ca.pem);
  write(root, '/etc/etcd/kubernetes.pem', kubernetes.pem);
  write(root, '/etc/etcd/kubernetes-key.pem', kubernetes.key.pem);
  const kubeconfig = (user, cert) => `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(ca.pem)}
    server: https://127.0.0.1:6443
  name: kubernetes-the-hard-way
contexts:
- context:
    cluster: kubernetes-the-hard-way
    user: ${user}
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(cert.pem)}
    client-key-data: ${b64(cert.key.pem)}
`;
  write(root, `${lib}/kube-controller-manager.kubeconfig`,
    kubeconfig('system:kube-controller-manager', leaf('system:kube-controller-manager', 'system:kube-controller-manager', 'Kubernetes The Hard Way', null)));
  write(root, `${lib}/kube-scheduler.kubeconfig`,
    kubeconfig('system:kube-scheduler', leaf('system:kube-scheduler', 'system:kube-scheduler', 'Kubernetes The Hard Way', null)));
  write(root, `${lib}/admin.kubeconfig`, kubeconfig('admin', leaf('admin', 'system:masters', 'Kubernetes The Hard Way', null)));
  // `head -c 32 /dev/urandom | base64` in the tutorial; fixed here so reruns do not churn.
  const secret = createHash('sha256').update('kdiff fixture encryption key').digest('base64');
  write(root, `${lib}/encryption-config.yaml`, `kind: EncryptionConfig
apiVersion: v1
resources:
  - resources:
      - secrets
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${secret}
      - identity: {}
`);
}

// ---------------------------------------------------------------- pki-cases: expiry, trust and bad input
function pkiCases() {
  const root = 'pki-cases';
  rmSync(join(OUT, root), { recursive: true, force: true });
  const pki = '/etc/kubernetes/pki';
  const ca = issue({ key: newKey(), subject: subj([['CN', 'kubernetes']]), issuer: null, notBefore: NB, notAfter: CA_END, ext: KUBEADM_CA_EXT, serial: '00' });
  write(root, `${pki}/ca.crt`, ca.pem);
  write(root, `${pki}/ca.key`, ca.key.pem);
  const leaf = (cn, issuer, notBefore, notAfter, eku = 'clientAuth') =>
    issue({ key: newKey(), subject: subj([['CN', cn]]), issuer, notBefore, notAfter, ext: kubeadmLeafExt(eku, null) });
  const expired = leaf('expired-client', ca, '2018-10-01T10:00:00Z', '2020-01-01T00:00:00Z');
  write(root, `${pki}/expired.crt`, expired.pem);
  write(root, `${pki}/expired.key`, expired.key.pem);
  const expiring = leaf('expiring-client', ca, '2018-10-01T10:00:00Z', '2040-01-20T12:00:00Z');
  write(root, `${pki}/expiring.crt`, expiring.pem);
  write(root, `${pki}/expiring.key`, expiring.key.pem);
  // Signed by a CA whose certificate is not on the node.
  const elsewhere = issue({ key: newKey(), subject: subj([['CN', 'kubernetes']]), issuer: null, notBefore: NB, notAfter: CA_END, ext: KUBEADM_CA_EXT, serial: '00' });
  const orphan = leaf('orphan-client', elsewhere, NB, LEAF_END);
  write(root, `${pki}/orphan.crt`, orphan.pem);
  write(root, `${pki}/orphan.key`, orphan.key.pem);
  const mismatch = leaf('mismatch-client', ca, NB, LEAF_END);
  write(root, `${pki}/mismatch.crt`, mismatch.pem);
  write(root, `${pki}/mismatch.key`, newKey().pem);
  const lines = mismatch.pem.split('\n');
  write(root, `${pki}/truncated.crt`, lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n');
  write(root, `${pki}/key-as-cert.crt`, newKey().pem);
  write(root, `${pki}/der.crt`, der(mismatch));
  write(root, `${pki}/empty.crt`, '');
  write(root, `${pki}/redacted.crt`, 'REDACTED\n');
  // A serving certificate followed by its CA (a chain file) and a cert+key file.
  const chained = leaf('chained-server', ca, NB, LEAF_END, 'serverAuth');
  write(root, `${pki}/chain.crt`, chained.pem + ca.pem);
  write(root, `${pki}/chain.key`, chained.key.pem);
  const combined = leaf('combined-client', ca, NB, LEAF_END);
  write(root, `${pki}/combined.pem`, combined.pem + combined.key.pem);
  // An admin kubeconfig whose embedded client certificate has expired, one with an exec plugin,
  // and one that is not YAML at all.
  const admin = leaf('kubernetes-admin', ca, '2018-10-01T10:00:00Z', '2020-01-01T00:00:00Z');
  write(root, '/etc/kubernetes/admin.conf', kubeadmKubeconfig({ server: 'https://10.240.0.30:6443', ca, user: 'kubernetes-admin', cert: admin }));
  write(root, '/var/lib/kubernetes/exec.kubeconfig', `apiVersion: v1
kind: Config
clusters:
- name: eks
  cluster:
    server: https://example.invalid
    certificate-authority: ../../../etc/kubernetes/pki/ca.crt
users:
- name: aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws-iam-authenticator
      args: ["token", "-i", "cluster"]
contexts:
- name: default
  context: {cluster: eks, user: aws}
current-context: default
`);
  write(root, '/var/lib/kubernetes/broken.kubeconfig', 'apiVersion: v1\nclusters: [\n  - {cluster: {server: https://x\n');
}

try {
  const ca = kubeadmMaster();
  kubeadmWorker(ca);
  hardWayController();
  pkiCases();
  console.log(`PKI fixtures written under ${OUT}`);
} finally {
  rmSync(WORK, { recursive: true, force: true });
}
