#!/usr/bin/env node
/**
 * Builds the two node trees of fixtures/unseen/ (see its README.md for what was adapted from where):
 *
 *   kubeadm-v1.31-pkgs        a kubeadm v1.31.2 control plane as the pkgs.k8s.io packages leave it
 *   kubeadm-external-etcd     kubeadm control plane (static pods) + etcd as a systemd daemon, the
 *                             way kubespray deploys it (etcd_deployment_type: host)
 *
 *   node scripts/gen-unseen-fixtures.mjs          # rewrites fixtures/unseen/<tree>/
 *   node scripts/gen-unseen-fixtures.mjs OUTDIR   # writes elsewhere
 *
 * Manifests start from fixtures/corpus/kubeadm-zetaoss (kubeadm v1.29.0), units and drop-ins from
 * fixtures/corpus/kubernetes-release/krel-latest-f618b2a; the PKI is issued here with the openssl
 * CLI the way kubeadm (certs phase) and kubespray (make-ssl-etcd.sh) issue it. Dates are fixed
 * (kubeadm's: CAs 10 years, leaves 1 year from 2024-08-14), keys are random, so a run rewrites
 * keys, signatures and fingerprints; tests pin `now` inside the validity.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '..');
const OUT = resolve(process.argv[2] ?? join(REPO, 'fixtures', 'unseen'));
const WORK = mkdtempSync(join(tmpdir(), 'kdiff-unseen-'));
const ZETA = join(REPO, 'fixtures/corpus/kubeadm-zetaoss/v1.29.0-31ee222');
const KREL = join(REPO, 'fixtures/corpus/kubernetes-release/krel-latest-f618b2a');
let counter = 0x2000;

const NB = '2024-08-14T09:30:00Z';
const CA_NA = '2034-08-12T09:30:00Z';
const LEAF_NA = '2025-08-14T09:30:00Z';

function openssl(args) {
  return execFileSync('openssl', args, { cwd: WORK, stdio: ['pipe', 'pipe', 'pipe'] });
}

function write(root, nodePath, data) {
  const file = join(OUT, root, nodePath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function link(root, nodePath, target) {
  const file = join(OUT, root, nodePath);
  mkdirSync(dirname(file), { recursive: true });
  symlinkSync(target, file);
}

function corpus(base, rel) {
  return readFileSync(join(base, rel), 'utf8');
}

function newKey(type = 'rsa') {
  const out = join(WORK, `key-${++counter}.pem`);
  if (type === 'ec') openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', out]);
  else openssl(['genrsa', '-traditional', '-out', out, '2048']);
  return { file: out, pem: readFileSync(out, 'utf8') };
}

function asn1Time(iso) {
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  const y = d.getUTCFullYear();
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  // UTCTime up to 2049, GeneralizedTime after, as RFC 5280 requires.
  return y < 2050 ? `${String(y).slice(2)}${body}` : `${y}${body}`;
}

/** Issues a certificate with `openssl ca` (the OpenSSL 3.0 command that takes fixed dates); issuer null: self-signed. */
function issue({ key, subject, issuer, notBefore = NB, notAfter = LEAF_NA, ext }) {
  const id = ++counter;
  const dir = join(WORK, `ca-${id}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(join(dir, 'serial'), `${id.toString(16).padStart(4, '0')}\n`);
  const conf = join(dir, 'openssl.cnf');
  writeFileSync(
    conf,
    [
      '[ca]', 'default_ca = kdiff', '[kdiff]', `dir = ${dir}`, 'database = $dir/index.txt', 'serial = $dir/serial',
      'new_certs_dir = $dir', 'default_md = sha256', 'policy = any', 'email_in_dn = no', 'copy_extensions = none',
      '[any]', 'commonName = optional', 'organizationName = optional', 'organizationalUnitName = optional', 'countryName = optional',
      'stateOrProvinceName = optional', 'localityName = optional', '[req]', 'distinguished_name = dn', '[dn]', '[ext]', ext, '',
    ].join('\n'),
  );
  const csr = join(dir, 'req.csr');
  openssl(['req', '-new', '-config', conf, '-key', key.file, '-subj', subject, '-out', csr]);
  const out = join(dir, 'cert.pem');
  const args = ['ca', '-config', conf, '-batch', '-notext', '-preserveDN', '-in', csr, '-out', out, '-extensions', 'ext', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)];
  if (issuer) args.push('-cert', issuer.certFile, '-keyfile', issuer.key.file);
  else args.push('-selfsign', '-keyfile', key.file);
  openssl(args);
  return { key, certFile: out, pem: readFileSync(out, 'utf8') };
}

const b64 = (s) => Buffer.from(s).toString('base64');
const CA_EXT = 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, digitalSignature, keyEncipherment, keyCertSign\nsubjectKeyIdentifier = hash';
function leafExt(eku, sans) {
  const lines = ['keyUsage = critical, digitalSignature, keyEncipherment', `extendedKeyUsage = ${eku}`, 'basicConstraints = critical, CA:FALSE', 'authorityKeyIdentifier = keyid'];
  if (sans) lines.push(`subjectAltName = ${sans}`);
  return lines.join('\n');
}

function ca(cn) {
  return issue({ key: newKey(), subject: `/CN=${cn}`, issuer: null, notAfter: CA_NA, ext: CA_EXT });
}

function leaf(issuer, subject, eku, sans, type = 'rsa') {
  return issue({ key: newKey(type), subject, issuer, ext: leafExt(eku, sans) });
}

/** A kubeconfig as kubeadm's kubeconfig phase writes it: everything embedded. */
function kubeconfig({ server, caCert, user, cert }) {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(caCert.pem)}
    server: ${server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: ${user}
  name: ${user}@kubernetes
current-context: ${user}@kubernetes
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(cert.pem)}
    client-key-data: ${b64(cert.key.pem)}
`;
}

/** kubelet.conf after the kubelet's TLS bootstrap: the rotated client pair, not embedded. */
function kubeletConf(server, caCert, node) {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(caCert.pem)}
    server: ${server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: system:node:${node}
  name: system:node:${node}@kubernetes
current-context: system:node:${node}@kubernetes
kind: Config
preferences: {}
users:
- name: system:node:${node}
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
`;
}

/** The control-plane PKI kubeadm's certs phase writes (certlist.go), into `dir` (a node path). */
function kubeadmPki(root, dir, { node, ip, etcd }) {
  const k8s = ca('kubernetes');
  const fp = ca('front-proxy-ca');
  const sans = `DNS:${node}, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:10.96.0.1, IP:${ip}`;
  const files = {
    'ca.crt': k8s.pem, 'ca.key': k8s.key.pem, 'front-proxy-ca.crt': fp.pem, 'front-proxy-ca.key': fp.key.pem,
  };
  const api = leaf(k8s, '/CN=kube-apiserver', 'serverAuth', sans);
  const kc = leaf(k8s, '/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client', 'clientAuth');
  const fpc = leaf(fp, '/CN=front-proxy-client', 'clientAuth');
  Object.assign(files, {
    'apiserver.crt': api.pem, 'apiserver.key': api.key.pem,
    'apiserver-kubelet-client.crt': kc.pem, 'apiserver-kubelet-client.key': kc.key.pem,
    'front-proxy-client.crt': fpc.pem, 'front-proxy-client.key': fpc.key.pem,
  });
  const sa = newKey();
  files['sa.key'] = sa.pem;
  files['sa.pub'] = openssl(['rsa', '-in', sa.file, '-pubout']).toString();
  if (etcd) {
    const eca = ca('etcd-ca');
    const srv = leaf(eca, `/CN=${node}`, 'serverAuth, clientAuth', `DNS:${node}, DNS:localhost, IP:${ip}, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1`);
    const peer = leaf(eca, `/CN=${node}`, 'serverAuth, clientAuth', `DNS:${node}, DNS:localhost, IP:${ip}, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1`);
    const hc = leaf(eca, '/CN=kube-etcd-healthcheck-client', 'clientAuth');
    const aec = leaf(eca, '/CN=kube-apiserver-etcd-client', 'clientAuth');
    Object.assign(files, {
      'etcd/ca.crt': eca.pem, 'etcd/ca.key': eca.key.pem, 'etcd/server.crt': srv.pem, 'etcd/server.key': srv.key.pem,
      'etcd/peer.crt': peer.pem, 'etcd/peer.key': peer.key.pem, 'etcd/healthcheck-client.crt': hc.pem, 'etcd/healthcheck-client.key': hc.key.pem,
      'apiserver-etcd-client.crt': aec.pem, 'apiserver-etcd-client.key': aec.key.pem,
    });
  }
  for (const [name, pem] of Object.entries(files)) write(root, `${dir}/${name}`, pem);
  return k8s;
}

/** The four kubeconfigs of the kubeconfig phase (super-admin.conf since v1.29) and the kubelet's. */
function kubeconfigs(root, k8s, { node, server, localServer }) {
  const admin = leaf(k8s, '/O=kubeadm:cluster-admins/CN=kubernetes-admin', 'clientAuth');
  const superAdmin = leaf(k8s, '/O=system:masters/CN=kubernetes-super-admin', 'clientAuth');
  const cm = leaf(k8s, '/CN=system:kube-controller-manager', 'clientAuth');
  const sched = leaf(k8s, '/CN=system:kube-scheduler', 'clientAuth');
  write(root, '/etc/kubernetes/admin.conf', kubeconfig({ server, caCert: k8s, user: 'kubernetes-admin', cert: admin }));
  write(root, '/etc/kubernetes/super-admin.conf', kubeconfig({ server, caCert: k8s, user: 'kubernetes-super-admin', cert: superAdmin }));
  write(root, '/etc/kubernetes/controller-manager.conf', kubeconfig({ server: localServer, caCert: k8s, user: 'system:kube-controller-manager', cert: cm }));
  write(root, '/etc/kubernetes/scheduler.conf', kubeconfig({ server: localServer, caCert: k8s, user: 'system:kube-scheduler', cert: sched }));
  write(root, '/etc/kubernetes/kubelet.conf', kubeletConf(server, k8s, node));
  // The kubelet's client pair from its CSR (EC P-256, cert + key in one file) and its self-signed serving pair.
  const client = leaf(k8s, `/O=system:nodes/CN=system:node:${node}`, 'clientAuth', undefined, 'ec');
  const stamp = '2024-08-14-09-35-12';
  write(root, `/var/lib/kubelet/pki/kubelet-client-${stamp}.pem`, client.pem + client.key.pem);
  link(root, '/var/lib/kubelet/pki/kubelet-client-current.pem', `/var/lib/kubelet/pki/kubelet-client-${stamp}.pem`);
  const sca = issue({ key: newKey(), subject: `/CN=${node}-ca@1723627512`, issuer: null, ext: CA_EXT, notAfter: LEAF_NA });
  const serving = issue({ key: newKey(), subject: `/CN=${node}@1723627512`, issuer: sca, ext: leafExt('serverAuth', `DNS:${node}`) });
  write(root, '/var/lib/kubelet/pki/kubelet.crt', serving.pem + sca.pem);
  write(root, '/var/lib/kubelet/pki/kubelet.key', serving.key.pem);
}

// ------------------------------------------------------------------ kubeadm v1.31 from pkgs.k8s.io
function v131() {
  const root = 'kubeadm-v1.31-pkgs';
  const node = 'cp-131';
  const ip = '172.30.1.2';
  const M = '/etc/kubernetes/manifests';
  for (const m of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    write(root, `${M}/${m}.yaml`, corpus(ZETA, `etc/kubernetes/manifests/${m}.yaml`).replace(`registry.k8s.io/${m}:v1.29.0`, `registry.k8s.io/${m}:v1.31.2`));
  }
  write(
    root,
    `${M}/etcd.yaml`,
    corpus(ZETA, 'etc/kubernetes/manifests/etcd.yaml').replace('registry.k8s.io/etcd:3.5.10-0', 'registry.k8s.io/etcd:3.5.15-0').replace(/controlplane/g, node),
  );
  const k8s = kubeadmPki(root, '/etc/kubernetes/pki', { node, ip, etcd: true });
  kubeconfigs(root, k8s, { node, server: `https://${ip}:6443`, localServer: `https://${ip}:6443` });
  // pkgs.k8s.io: the kubelet package's unit, the kubeadm package's drop-in, both under /usr/lib.
  write(root, '/usr/lib/systemd/system/kubelet.service', corpus(KREL, 'rpm/usr/lib/systemd/system/kubelet.service'));
  write(root, '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', corpus(KREL, 'deb/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'));
  write(root, '/etc/default/kubelet', corpus(KREL, 'deb/etc/default/kubelet'));
  link(root, '/etc/systemd/system/multi-user.target.wants/kubelet.service', '/usr/lib/systemd/system/kubelet.service');
  write(root, '/var/lib/kubelet/kubeadm-flags.env', 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n');
  write(root, '/var/lib/kubelet/config.yaml', readFileSync(join(REPO, 'fixtures/corpus/kubeadm-transcript-v1.33.2/v1.33.2/var/lib/kubelet/config.yaml'), 'utf8').replace('crashLoopBackOff: {}\n', ''));
  write(root, '/etc/hostname', `${node}\n`);
}

// ------------------------------------------------------------------ kubeadm + external etcd (kubespray)
function externalEtcd() {
  const root = 'kubeadm-external-etcd';
  const node = 'node1';
  const ip = '10.0.0.11';
  const M = '/etc/kubernetes/manifests';
  const ssl = '/etc/kubernetes/ssl';
  const etcdDir = '/etc/ssl/etcd/ssl';
  const peers = 'https://10.0.0.11:2379,https://10.0.0.12:2379,https://10.0.0.13:2379';
  const toSsl = (text) => text.replaceAll('/etc/kubernetes/pki', ssl).replaceAll('172.30.1.2', ip).replace(/controlplane/g, node);
  write(
    root,
    `${M}/kube-apiserver.yaml`,
    toSsl(corpus(ZETA, 'etc/kubernetes/manifests/kube-apiserver.yaml'))
      .replace(`--etcd-cafile=${ssl}/etcd/ca.crt`, `--etcd-cafile=${etcdDir}/ca.pem`)
      .replace(`--etcd-certfile=${ssl}/apiserver-etcd-client.crt`, `--etcd-certfile=${etcdDir}/node-${node}.pem`)
      .replace(`--etcd-keyfile=${ssl}/apiserver-etcd-client.key`, `--etcd-keyfile=${etcdDir}/node-${node}-key.pem`)
      .replace('--etcd-servers=https://127.0.0.1:2379', `--etcd-servers=${peers}`)
      .replace('registry.k8s.io/kube-apiserver:v1.29.0', 'registry.k8s.io/kube-apiserver:v1.29.7')
      .replace(`    - mountPath: ${ssl}\n      name: k8s-certs\n      readOnly: true\n`, `    - mountPath: ${ssl}\n      name: k8s-certs\n      readOnly: true\n    - mountPath: ${etcdDir}\n      name: etcd-certs-0\n      readOnly: true\n`)
      .replace(`  - hostPath:\n      path: ${ssl}\n      type: DirectoryOrCreate\n    name: k8s-certs\n`, `  - hostPath:\n      path: ${ssl}\n      type: DirectoryOrCreate\n    name: k8s-certs\n  - hostPath:\n      path: ${etcdDir}\n      type: DirectoryOrCreate\n    name: etcd-certs-0\n`),
  );
  for (const m of ['kube-controller-manager', 'kube-scheduler']) {
    write(root, `${M}/${m}.yaml`, toSsl(corpus(ZETA, `etc/kubernetes/manifests/${m}.yaml`)).replace(`registry.k8s.io/${m}:v1.29.0`, `registry.k8s.io/${m}:v1.29.7`));
  }
  // kubespray keeps kubeadm's certificates in /etc/kubernetes/ssl and links /etc/kubernetes/pki to it.
  const k8s = kubeadmPki(root, ssl, { node, ip, etcd: false });
  link(root, '/etc/kubernetes/pki', ssl);
  kubeconfigs(root, k8s, { node, server: `https://127.0.0.1:6443`, localServer: `https://${ip}:6443` });

  // etcd's own PKI (make-ssl-etcd.sh): one CA, member-, node- and admin- pairs per host.
  const eca = issue({ key: newKey(), subject: '/CN=etcd-ca', issuer: null, notAfter: '2124-07-21T09:30:00Z', ext: CA_EXT });
  const memberSans = `DNS:localhost, DNS:${node}, DNS:node2, DNS:node3, DNS:etcd.kube-system.svc.cluster.local, DNS:etcd.kube-system.svc, DNS:etcd.kube-system, DNS:etcd, IP:10.0.0.11, IP:10.0.0.12, IP:10.0.0.13, IP:127.0.0.1`;
  const pairs = {
    [`member-${node}`]: issue({ key: newKey(), subject: `/CN=etcd-member-${node}`, issuer: eca, notAfter: '2124-07-21T09:30:00Z', ext: leafExt('serverAuth, clientAuth', memberSans) }),
    [`node-${node}`]: issue({ key: newKey(), subject: `/CN=etcd-node-${node}`, issuer: eca, notAfter: '2124-07-21T09:30:00Z', ext: leafExt('serverAuth, clientAuth', memberSans) }),
    [`admin-${node}`]: issue({ key: newKey(), subject: `/CN=etcd-admin-${node}`, issuer: eca, notAfter: '2124-07-21T09:30:00Z', ext: leafExt('serverAuth, clientAuth', memberSans) }),
  };
  write(root, `${etcdDir}/ca.pem`, eca.pem);
  write(root, `${etcdDir}/ca-key.pem`, eca.key.pem);
  for (const [name, c] of Object.entries(pairs)) {
    write(root, `${etcdDir}/${name}.pem`, c.pem);
    write(root, `${etcdDir}/${name}-key.pem`, c.key.pem);
  }
  // roles/etcd/templates/etcd-host.service.j2 and etcd.env.j2 (bin_dir=/usr/local/bin, secure client, 3 members).
  write(root, '/etc/systemd/system/etcd.service', `[Unit]
Description=etcd
After=network.target

[Service]
Type=notify
User=etcd
EnvironmentFile=/etc/etcd.env
ExecStart=/usr/local/bin/etcd
NotifyAccess=all
Restart=always
RestartSec=10s
LimitNOFILE=40000

[Install]
WantedBy=multi-user.target
`);
  link(root, '/etc/systemd/system/multi-user.target.wants/etcd.service', '/etc/systemd/system/etcd.service');
  write(root, '/etc/etcd.env', `# Environment file for etcd v3.5.13
ETCD_DATA_DIR=/var/lib/etcd
ETCD_ADVERTISE_CLIENT_URLS=https://${ip}:2379
ETCD_INITIAL_ADVERTISE_PEER_URLS=https://${ip}:2380
ETCD_INITIAL_CLUSTER_STATE=existing
ETCD_METRICS=basic
ETCD_LISTEN_CLIENT_URLS=https://${ip}:2379,https://127.0.0.1:2379
ETCD_ELECTION_TIMEOUT=5000
ETCD_HEARTBEAT_INTERVAL=250
ETCD_INITIAL_CLUSTER_TOKEN=k8s_etcd
ETCD_LISTEN_PEER_URLS=https://${ip}:2380
ETCD_NAME=etcd1
ETCD_PROXY=off
ETCD_INITIAL_CLUSTER=etcd1=https://10.0.0.11:2380,etcd2=https://10.0.0.12:2380,etcd3=https://10.0.0.13:2380
ETCD_AUTO_COMPACTION_RETENTION=8
ETCD_SNAPSHOT_COUNT=10000

# TLS settings
ETCD_TRUSTED_CA_FILE=${etcdDir}/ca.pem
ETCD_CERT_FILE=${etcdDir}/member-${node}.pem
ETCD_KEY_FILE=${etcdDir}/member-${node}-key.pem
ETCD_CLIENT_CERT_AUTH=true

ETCD_PEER_TRUSTED_CA_FILE=${etcdDir}/ca.pem
ETCD_PEER_CERT_FILE=${etcdDir}/member-${node}.pem
ETCD_PEER_KEY_FILE=${etcdDir}/member-${node}-key.pem
ETCD_PEER_CLIENT_CERT_AUTH=True

`);
  // roles/kubernetes/node/templates/kubelet.service.j2 and kubelet.env (containerd, kubeadm mode).
  write(root, '/etc/systemd/system/kubelet.service', `[Unit]
Description=Kubernetes Kubelet Server
Documentation=https://github.com/GoogleCloudPlatform/kubernetes
After=containerd.service
Wants=containerd.service

[Service]
EnvironmentFile=-/etc/kubernetes/kubelet.env
ExecStart=/usr/local/bin/kubelet \\
\t\t$KUBE_LOGTOSTDERR \\
\t\t$KUBE_LOG_LEVEL \\
\t\t$KUBELET_API_SERVER \\
\t\t$KUBELET_ADDRESS \\
\t\t$KUBELET_PORT \\
\t\t$KUBELET_HOSTNAME \\
\t\t$KUBELET_ARGS \\
\t\t$DOCKER_SOCKET \\
\t\t$KUBELET_NETWORK_PLUGIN \\
\t\t$KUBELET_VOLUME_PLUGIN \\
\t\t$KUBELET_CLOUDPROVIDER
Restart=always
RestartSec=10s

[Install]
WantedBy=multi-user.target
`);
  link(root, '/etc/systemd/system/multi-user.target.wants/kubelet.service', '/etc/systemd/system/kubelet.service');
  write(root, '/etc/kubernetes/kubelet.env', `KUBE_LOG_LEVEL="--v=2"
KUBELET_ADDRESS="--node-ip=${ip}"
KUBELET_HOSTNAME="--hostname-override=${node}"

KUBELET_ARGS="--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf \\
--config=/etc/kubernetes/kubelet-config.yaml \\
--kubeconfig=/etc/kubernetes/kubelet.conf \\
--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock \\
--runtime-cgroups=/system.slice/containerd.service \\
 --node-labels=  "
KUBELET_NETWORK_PLUGIN=""
KUBELET_CLOUDPROVIDER=""

PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
`);
  write(root, '/etc/kubernetes/kubelet-config.yaml', `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
nodeStatusUpdateFrequency: "10s"
failSwapOn: True
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: True
  x509:
    clientCAFile: ${ssl}/ca.crt
authorization:
  mode: Webhook
staticPodPath: ${M}
cgroupDriver: systemd
containerLogMaxFiles: 5
containerLogMaxSize: 10Mi
maxPods: 110
podPidsLimit: -1
address: ${ip}
readOnlyPort: 0
healthzPort: 10248
healthzBindAddress: 127.0.0.1
kubeletCgroups: /system.slice/kubelet.service
clusterDomain: cluster.local
protectKernelDefaults: true
rotateCertificates: true
clusterDNS:
- 169.254.25.10
resolvConf: "/run/systemd/resolve/resolv.conf"
`);
  write(root, '/etc/hostname', `${node}\n`);
}

rmSync(join(OUT, 'kubeadm-v1.31-pkgs'), { recursive: true, force: true });
rmSync(join(OUT, 'kubeadm-external-etcd'), { recursive: true, force: true });
v131();
externalEtcd();
rmSync(WORK, { recursive: true, force: true });
process.stdout.write(`gen-unseen-fixtures: wrote ${join(OUT, 'kubeadm-v1.31-pkgs')} and ${join(OUT, 'kubeadm-external-etcd')}\n`);
