// Generates a fleet of kubeadm node trees for the benchmark (and its smoke test): N workers and a few
// control planes of one cluster, each with its own node name, IP and kubelet certificates issued by
// one cluster CA, as kubeadm v1.31 leaves them on disk. A known set of workers is drifted.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync, symlinkSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';

x509.cryptoProvider.set(webcrypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const NOT_BEFORE = new Date('2026-01-01T00:00:00Z');
const NOT_AFTER = new Date('2046-01-01T00:00:00Z');
const FLEET_VERSION = 3; // bump when the layout below changes, so cached fleets are regenerated

const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

const DROP_IN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

function kubeletConfig(readOnlyPort) {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
${readOnlyPort ? `readOnlyPort: ${readOnlyPort}\n` : ''}resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;
}

function kubeletConf(caPem) {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}
    server: https://10.0.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: system:node
  name: system:node@kubernetes
current-context: system:node@kubernetes
kind: Config
preferences: {}
users:
- name: system:node
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
`;
}

async function keyPem(key) {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

function put(root, path, content) {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
}

function link(root, path, target) {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  symlinkSync(target, p);
}

/** Which drift (if any) worker i carries: every `driftEvery`-th worker, cycling through four kinds. */
export function driftOf(i, driftEvery) {
  if (driftEvery <= 0 || i % driftEvery !== driftEvery - 1) return null;
  return ['read-only-port', 'max-pods', 'not-enabled', 'pause-image'][Math.floor(i / driftEvery) % 4];
}

async function issue(ca, caKeys, subject, sans, serial, usages) {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject,
    issuer: ca.subject,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages),
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) };
}

/**
 * Writes `workers` worker trees under `dir` (w00000 ...), reusing a cached fleet of the same shape.
 * Returns the node directories and the labels of the drifted ones.
 */
export async function generateFleet(dir, { workers, driftEvery = 10 }) {
  const marker = join(dir, '.fleet.json');
  const shape = JSON.stringify({ FLEET_VERSION, workers, driftEvery });
  const nodes = Array.from({ length: workers }, (_, i) => join(dir, `w${String(i).padStart(5, '0')}`));
  const drifted = nodes.filter((_, i) => driftOf(i, driftEvery) !== null);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === shape) return { nodes, drifted };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=kubernetes',
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    ],
  });
  const caPem = ca.toString('pem') + '\n';

  for (let i = 0; i < workers; i++) {
    const root = nodes[i];
    const name = `w${String(i).padStart(5, '0')}`;
    const ip = `10.${1 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
    const drift = driftOf(i, driftEvery);
    const serial = (i + 2).toString(16).padStart(6, '0');
    const client = await issue(ca, caKeys, `CN=system:node:${name}, O=system:nodes`, [], serial, ['1.3.6.1.5.5.7.3.2']);
    const serving = await issue(ca, caKeys, `CN=${name}`, [{ type: 'dns', value: name }, { type: 'ip', value: ip }], `f${serial}`, ['1.3.6.1.5.5.7.3.1']);
    put(root, 'usr/lib/systemd/system/kubelet.service', KUBELET_SERVICE);
    put(root, 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', DROP_IN);
    if (drift !== 'not-enabled') link(root, 'etc/systemd/system/multi-user.target.wants/kubelet.service', '/usr/lib/systemd/system/kubelet.service');
    const pause = drift === 'pause-image' ? '3.9' : '3.10';
    put(
      root,
      'var/lib/kubelet/kubeadm-flags.env',
      `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --node-ip=${ip} --hostname-override=${name} --pod-infra-container-image=registry.k8s.io/pause:${pause}"\n`,
    );
    put(root, 'etc/default/kubelet', `KUBELET_EXTRA_ARGS=${drift === 'max-pods' ? '--max-pods=50' : ''}\n`);
    put(root, 'var/lib/kubelet/config.yaml', kubeletConfig(drift === 'read-only-port' ? 10255 : 0));
    put(root, 'etc/kubernetes/kubelet.conf', kubeletConf(caPem));
    put(root, 'etc/kubernetes/pki/ca.crt', caPem);
    mkdirSync(join(root, 'etc/kubernetes/manifests'), { recursive: true });
    put(root, 'var/lib/kubelet/pki/kubelet-client-2026-01-01-00-00-00.pem', client.cert + client.key);
    link(root, 'var/lib/kubelet/pki/kubelet-client-current.pem', '/var/lib/kubelet/pki/kubelet-client-2026-01-01-00-00-00.pem');
    put(root, 'var/lib/kubelet/pki/kubelet.crt', serving.cert);
    put(root, 'var/lib/kubelet/pki/kubelet.key', serving.key);
  }
  writeFileSync(marker, shape);
  return { nodes, drifted };
}
