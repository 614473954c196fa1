/** Trees built in memory: links, relative paths, bundles and broken embedded data. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileTree } from '../../../src/source/file-tree.js';
import { MemoryBackend, type MemoryEntry } from '../../../src/source/memory.js';
import { collectReferences, scanCredentials } from '../../../src/scan/pki/index.js';
import { component, FIXTURES } from './helpers.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const master = (p: string) => readFileSync(join(FIXTURES, 'seed-kubeadm-master', p));
const b64 = (b: Buffer) => b.toString('base64');

function tree(files: Record<string, Buffer | string | MemoryEntry>): FileTree {
  const m = new MemoryBackend();
  for (const [p, v] of Object.entries(files)) {
    m.add(p, typeof v === 'string' || Buffer.isBuffer(v) ? { kind: 'file', data: Buffer.from(v) } : v);
  }
  return new FileTree('memory', m);
}

describe('scanCredentials on hand-built trees', () => {
  it('refuses a referenced certificate whose link leaves the tree, and goes on', () => {
    const t = tree({
      '/etc/kubernetes/pki/apiserver.crt': { kind: 'symlink', target: '../../../../../etc/ssl/host.crt' },
      '/etc/kubernetes/pki/ca.crt': master('etc/kubernetes/pki/ca.crt'),
    });
    const c = component('kube-apiserver', 'static-pod', '/etc/kubernetes/manifests/kube-apiserver.yaml', [
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    ]);
    const r = scanCredentials(t, collectReferences([c], []), { now: NOW });
    expect(r.certificates.map((x) => `${x.path} ${x.roles}`)).toEqual(['/etc/kubernetes/pki/ca.crt cluster-ca']);
    expect(r.findings.map((f) => f.code)).toEqual(['referenced-file-missing']);
    expect(t.findings().map((f) => f.code)).toContain('symlink-escapes-root');
  });

  it('gives every certificate of a CA bundle the CA role; a serving chain gives it to the leaf only', () => {
    const ca = master('etc/kubernetes/pki/ca.crt');
    const fp = master('etc/kubernetes/pki/front-proxy-ca.crt');
    const t = tree({
      '/srv/pki/bundle.crt': Buffer.concat([ca, fp]),
      '/srv/pki/serving.crt': Buffer.concat([master('etc/kubernetes/pki/apiserver.crt'), ca]),
      '/srv/pki/serving.key': master('etc/kubernetes/pki/apiserver.key'),
    });
    const c = component('kube-apiserver', 'systemd', '/etc/systemd/system/kube-apiserver.service', [
      '--client-ca-file=/srv/pki/bundle.crt',
      '--tls-cert-file=/srv/pki/serving.crt',
      '--tls-private-key-file=/srv/pki/serving.key',
    ]);
    const r = scanCredentials(t, collectReferences([c], []), { now: NOW });
    expect(r.certificates.map((x) => [x.path, x.roles, x.issuerPath, x.privateKey])).toEqual([
      ['/srv/pki/bundle.crt', ['cluster-ca'], '/srv/pki/bundle.crt', 'absent'],
      ['/srv/pki/bundle.crt#1', ['cluster-ca'], '/srv/pki/bundle.crt#1', 'absent'],
      ['/srv/pki/serving.crt', ['kube-apiserver:serving'], '/srv/pki/bundle.crt', 'present'],
      // The CA copy at the end of the chain is self-signed: its own issuer.
      ['/srv/pki/serving.crt#1', [], '/srv/pki/serving.crt#1', 'absent'],
    ]);
    // cluster CA and front-proxy CA in one trust bundle: one role each file, no least-privilege noise.
    expect(r.findings).toEqual([]);
  });

  it('reports a key flag that names the wrong key as a mismatch, even when the right key lies elsewhere', () => {
    const t = tree({
      '/etc/kubernetes/pki/apiserver.crt': master('etc/kubernetes/pki/apiserver.crt'),
      '/etc/kubernetes/pki/apiserver.key': master('etc/kubernetes/pki/apiserver.key'),
      '/etc/kubernetes/pki/other.key': master('etc/kubernetes/pki/ca.key'),
    });
    const c = component('kube-apiserver', 'static-pod', '/etc/kubernetes/manifests/kube-apiserver.yaml', [
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
      '--tls-private-key-file=/etc/kubernetes/pki/other.key',
    ]);
    const r = scanCredentials(t, collectReferences([c], []), { now: NOW });
    expect(r.certificates[0].privateKey).toBe('mismatch');
    expect(r.findings.map((f) => f.code)).toEqual(['issuer-not-on-node', 'key-mismatch']);
    expect(r.findings[1].message).toContain('/etc/kubernetes/pki/other.key');
  });

  it('resolves a kubeconfig relative client-certificate against its directory', () => {
    const client = master('etc/kubernetes/pki/apiserver-kubelet-client.crt');
    const key = master('etc/kubernetes/pki/apiserver-kubelet-client.key');
    const t = tree({
      '/var/lib/kube-proxy/kubeconfig': `apiVersion: v1
clusters: [{name: k, cluster: {server: "https://10.0.0.1:6443", certificate-authority: ../../../etc/kubernetes/pki/ca.crt}}]
users: [{name: p, user: {client-certificate: certs/proxy.crt, client-key: certs/proxy.key}}]
contexts: [{name: c, context: {cluster: k, user: p}}]
current-context: c
`,
      '/var/lib/kube-proxy/certs/proxy.crt': client,
      '/var/lib/kube-proxy/certs/proxy.key': key,
      '/etc/kubernetes/pki/ca.crt': master('etc/kubernetes/pki/ca.crt'),
    });
    const r = scanCredentials(t, [], { now: NOW });
    expect(r.kubeconfigs).toEqual([
      {
        path: '/var/lib/kube-proxy/kubeconfig',
        server: 'https://10.0.0.1:6443',
        user: 'kube-apiserver-kubelet-client',
        groups: ['system:masters'],
        auth: 'client-certificate',
        ca: '/etc/kubernetes/pki/ca.crt',
        clientCertificate: '/var/lib/kube-proxy/certs/proxy.crt',
        roles: ['kube-proxy:kubeconfig'],
        caCertificate: '/etc/kubernetes/pki/ca.crt',
        clientCertificateNotAfter: '2046-10-01T10:00:00Z',
        clientCertificateIssuer: '/etc/kubernetes/pki/ca.crt',
        clientCertificateStatus: 'valid',
      },
    ]);
    expect(r.certificates.find((c) => c.path === '/var/lib/kube-proxy/certs/proxy.crt')).toMatchObject({ roles: ['kube-proxy:client'], privateKey: 'present' });
  });

  it('an embedded key that does not belong to the embedded cert, and insecure-skip-tls-verify, are findings', () => {
    const t = tree({
      '/etc/kubernetes/admin.conf': `apiVersion: v1
clusters: [{name: k, cluster: {server: "https://x:6443", insecure-skip-tls-verify: true}}]
users: [{name: a, user: {client-certificate-data: ${b64(master('etc/kubernetes/pki/apiserver.crt'))}, client-key-data: ${b64(master('etc/kubernetes/pki/ca.key'))}}}]
contexts: [{name: c, context: {cluster: k, user: a}}]
current-context: c
`,
    });
    const r = scanCredentials(t, [], { now: NOW });
    expect(r.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning kubeconfig-insecure', 'error kubeconfig-key-mismatch']);
    expect(r.kubeconfigs[0]).toMatchObject({ user: 'kube-apiserver', ca: null, clientCertificateIssuer: null, roles: ['admin:kubeconfig'] });
  });

  it('does not walk into the kubelet pod directories, only its top level and pki', () => {
    const t = tree({
      '/var/lib/kubelet/pods/abc/volumes/kubernetes.io~secret/tls/tls.crt': master('etc/kubernetes/pki/apiserver.crt'),
      '/var/lib/kubelet/pki/kubelet.crt': master('var/lib/kubelet/pki/kubelet.crt'),
    });
    const r = scanCredentials(t, [], { now: NOW });
    expect(r.certificates.map((c) => c.path)).toEqual(['/var/lib/kubelet/pki/kubelet.crt', '/var/lib/kubelet/pki/kubelet.crt#1']);
  });
});
