import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Certificate, Finding } from '../../../src/model/types.js';
import { collectReferences, scanCredentials } from '../../../src/scan/pki/index.js';
import { FIXTURES, component, fixtureTree, hardWayControllerComponents, kubeadmMasterComponents, manifestComponent } from './helpers.js';

const NOW = new Date('2030-01-01T00:00:00Z');

function byPath(certs: readonly Certificate[]): Record<string, Certificate> {
  return Object.fromEntries(certs.map((c) => [c.path, c]));
}

function codes(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code} ${f.path}`);
}

describe('kubeadm master (generated fixture)', () => {
  const tree = fixtureTree('seed-kubeadm-master');
  const { components, configs } = kubeadmMasterComponents();
  const result = scanCredentials(tree, collectReferences(components, configs), { now: NOW });
  const certs = byPath(result.certificates);

  it('finds every kubeadm certificate with the role its flag gives it', () => {
    expect(Object.fromEntries(result.certificates.map((c) => [c.path, c.roles]))).toEqual({
      '/etc/kubernetes/pki/apiserver-etcd-client.crt': ['kube-apiserver:etcd-client'],
      '/etc/kubernetes/pki/apiserver-kubelet-client.crt': ['kube-apiserver:kubelet-client'],
      '/etc/kubernetes/pki/apiserver.crt': ['kube-apiserver:serving'],
      '/etc/kubernetes/pki/ca.crt': ['cluster-ca'],
      '/etc/kubernetes/pki/etcd/ca.crt': ['etcd-ca'],
      // No flag names it (etcd's liveness probe does): the kubeadm name table gives the role.
      '/etc/kubernetes/pki/etcd/healthcheck-client.crt': ['etcd:healthcheck-client'],
      '/etc/kubernetes/pki/etcd/peer.crt': ['etcd:peer'],
      '/etc/kubernetes/pki/etcd/server.crt': ['etcd:server'],
      '/etc/kubernetes/pki/front-proxy-ca.crt': ['front-proxy-ca'],
      '/etc/kubernetes/pki/front-proxy-client.crt': ['front-proxy:client'],
      '/var/lib/kubelet/pki/kubelet.crt': ['kubelet:serving'],
      '/var/lib/kubelet/pki/kubelet.crt#1': [],
    });
  });

  it('reads subject, SANs, usages and key as kubeadm issues them', () => {
    const api = certs['/etc/kubernetes/pki/apiserver.crt'];
    expect(api.subject).toBe('CN=kube-apiserver');
    expect(api.issuer).toBe('CN=kubernetes');
    expect(api.sans).toEqual([
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
      'DNS:master',
      'IP:10.240.0.20',
      'IP:10.96.0.1',
    ]);
    expect(api.extKeyUsage).toEqual(['serverAuth']);
    expect(api.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(api.isCA).toBe(false);
    expect(api.publicKey).toBe('RSA 2048');
    expect(api.notBefore).toBe('2018-10-01T10:00:00Z');
    expect(api.notAfter).toBe('2046-10-01T10:00:00Z');
    expect(certs['/etc/kubernetes/pki/apiserver-kubelet-client.crt'].subject).toBe('CN=kube-apiserver-kubelet-client,O=system:masters');
    expect(certs['/etc/kubernetes/pki/etcd/peer.crt'].sans).toEqual(['DNS:localhost', 'DNS:master', 'IP:10.240.0.20', 'IP:127.0.0.1', 'IP:::1']);
    expect(certs['/etc/kubernetes/pki/etcd/server.crt'].extKeyUsage).toEqual(['serverAuth', 'clientAuth']);
    const ca = certs['/etc/kubernetes/pki/ca.crt'];
    expect(ca.isCA).toBe(true);
    expect(ca.keyUsage).toEqual(['digitalSignature', 'keyEncipherment', 'keyCertSign']);
  });

  it('gives the sha256 of the DER and the serial in hex', () => {
    const pem = readFileSync(join(FIXTURES, 'seed-kubeadm-master/etc/kubernetes/pki/apiserver.crt'));
    const x = new X509Certificate(pem);
    expect(certs['/etc/kubernetes/pki/apiserver.crt'].sha256).toBe(createHash('sha256').update(x.raw).digest('hex'));
    expect(certs['/etc/kubernetes/pki/apiserver.crt'].serial).toBe(x.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''));
  });

  it('finds each issuer by signature and each private key', () => {
    const issuers = Object.fromEntries(result.certificates.map((c) => [c.path, c.issuerPath]));
    expect(issuers['/etc/kubernetes/pki/apiserver.crt']).toBe('/etc/kubernetes/pki/ca.crt');
    expect(issuers['/etc/kubernetes/pki/apiserver-etcd-client.crt']).toBe('/etc/kubernetes/pki/etcd/ca.crt');
    expect(issuers['/etc/kubernetes/pki/front-proxy-client.crt']).toBe('/etc/kubernetes/pki/front-proxy-ca.crt');
    expect(issuers['/etc/kubernetes/pki/ca.crt']).toBe('/etc/kubernetes/pki/ca.crt');
    // The kubelet's self-signed serving cert is followed by its own throwaway CA in the same file.
    expect(issuers['/var/lib/kubelet/pki/kubelet.crt']).toBe('/var/lib/kubelet/pki/kubelet.crt#1');
    expect(result.certificates.filter((c) => c.privateKey !== 'present').map((c) => c.path)).toEqual(['/var/lib/kubelet/pki/kubelet.crt#1']);
    expect(result.certificates.every((c) => c.status === 'valid')).toBe(true);
  });

  it('reads the four kubeconfigs: identity, embedded CA matched to the node CA, expiry', () => {
    expect(result.kubeconfigs.map((k) => [k.path, k.user, k.groups, k.auth, k.roles])).toEqual([
      ['/etc/kubernetes/admin.conf', 'kubernetes-admin', ['system:masters'], 'client-certificate', ['admin:kubeconfig']],
      ['/etc/kubernetes/controller-manager.conf', 'system:kube-controller-manager', [], 'client-certificate', ['kube-controller-manager:kubeconfig']],
      ['/etc/kubernetes/kubelet.conf', 'system:node:master', ['system:nodes'], 'client-certificate', ['kubelet:kubeconfig']],
      ['/etc/kubernetes/scheduler.conf', 'system:kube-scheduler', [], 'client-certificate', ['kube-scheduler:kubeconfig']],
    ]);
    const admin = result.kubeconfigs[0];
    expect(admin).toMatchObject({
      server: 'https://10.240.0.20:6443',
      ca: '/etc/kubernetes/admin.conf#ca',
      caCertificate: '/etc/kubernetes/pki/ca.crt',
      clientCertificate: '/etc/kubernetes/admin.conf#client-certificate',
      clientCertificateNotAfter: '2046-10-01T10:00:00Z',
      clientCertificateIssuer: '/etc/kubernetes/pki/ca.crt',
      clientCertificateStatus: 'valid',
    });
  });

  it('has nothing to report on a healthy kubeadm PKI', () => {
    // The kubelet's --bootstrap-kubeconfig names a file a master never has: that is not a problem.
    expect(codes(result.findings)).toEqual([]);
  });

  it('a missing kubeconfig that a component needs is reported', () => {
    const sched = component('kube-scheduler', 'static-pod', '/etc/kubernetes/manifests/kube-scheduler.yaml', ['--kubeconfig=/etc/kubernetes/nope.conf']);
    const r = scanCredentials(fixtureTree('seed-kubeadm-master'), collectReferences([sched], []), { now: NOW });
    expect(r.findings).toEqual([
      {
        severity: 'warning',
        code: 'kubeconfig-missing',
        path: '/etc/kubernetes/nope.conf',
        message: '/etc/kubernetes/nope.conf (kube-scheduler --kubeconfig) is not on the node.',
        component: 'kube-scheduler',
      },
    ]);
  });

  it('is deterministic', () => {
    const again = scanCredentials(fixtureTree('seed-kubeadm-master'), collectReferences(components, configs), { now: NOW });
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
  });
});

describe('kubeadm worker (generated fixture)', () => {
  const tree = fixtureTree('seed-kubeadm-worker');
  const kubelet = component('kubelet', 'systemd', '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', [
    '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
    '--kubeconfig=/etc/kubernetes/kubelet.conf',
  ]);
  const result = scanCredentials(tree, collectReferences([kubelet], []), { now: NOW });

  it('follows kubelet.conf to the rotated client cert behind the absolute symlink', () => {
    const kc = result.kubeconfigs.find((k) => k.path === '/etc/kubernetes/kubelet.conf')!;
    expect(kc).toMatchObject({
      user: 'system:node:node1',
      groups: ['system:nodes'],
      auth: 'client-certificate',
      clientCertificate: '/var/lib/kubelet/pki/kubelet-client-current.pem',
      caCertificate: '/etc/kubernetes/pki/ca.crt',
      clientCertificateIssuer: '/etc/kubernetes/pki/ca.crt',
      roles: ['kubelet:kubeconfig'],
    });
    const client = result.certificates.find((c) => c.path === '/var/lib/kubelet/pki/kubelet-client-current.pem')!;
    expect(client).toMatchObject({
      linkTarget: '/var/lib/kubelet/pki/kubelet-client-2018-10-02-10-20-30.pem',
      subject: 'CN=system:node:node1,O=system:nodes',
      publicKey: 'EC P-256',
      privateKey: 'present',
      roles: ['kubelet:client'],
      issuerPath: '/etc/kubernetes/pki/ca.crt',
      notBefore: '2018-10-02T10:15:30Z',
    });
    // One entry per real file: the dated name is not listed again.
    expect(result.certificates.filter((c) => c.path.includes('kubelet-client'))).toHaveLength(1);
  });

  it('reads the bootstrap kubeconfig as a bootstrap token identity, never the token', () => {
    const kc = result.kubeconfigs.find((k) => k.path === '/etc/kubernetes/bootstrap-kubelet.conf')!;
    expect(kc).toMatchObject({ auth: 'token', user: 'system:bootstrap:x7k2qp', clientCertificate: null, roles: ['kubelet:bootstrap-kubeconfig'] });
    expect(JSON.stringify(result)).not.toContain('9f3d1c8b4e6a0t5w');
  });

  it('gives the worker CA its role from the kubeadm name table and reports no problem', () => {
    expect(result.certificates.find((c) => c.path === '/etc/kubernetes/pki/ca.crt')).toMatchObject({ roles: ['cluster-ca'], privateKey: 'absent' });
    expect(result.findings).toEqual([]);
  });
});

describe('the hard way controller (generated fixture)', () => {
  const tree = fixtureTree('seed-hard-way-controller');
  const { components, configs } = hardWayControllerComponents();
  const result = scanCredentials(tree, collectReferences(components, configs), { now: NOW });
  const certs = byPath(result.certificates);

  it('gives kubernetes.pem every role it plays, at both of its paths', () => {
    expect(certs['/var/lib/kubernetes/kubernetes.pem'].roles).toEqual(['kube-apiserver:etcd-client', 'kube-apiserver:kubelet-client', 'kube-apiserver:serving']);
    expect(certs['/etc/etcd/kubernetes.pem'].roles).toEqual(['etcd:peer', 'etcd:server']);
    expect(certs['/var/lib/kubernetes/kubernetes.pem'].sha256).toBe(certs['/etc/etcd/kubernetes.pem'].sha256);
    expect(certs['/var/lib/kubernetes/kubernetes.pem'].subject).toBe('CN=kubernetes,OU=Kubernetes The Hard Way,O=Kubernetes,L=Portland,ST=Oregon,C=US');
    expect(certs['/var/lib/kubernetes/kubernetes.pem'].extKeyUsage).toEqual(['serverAuth', 'clientAuth']);
    expect(certs['/var/lib/kubernetes/service-account.pem'].roles).toEqual(['service-account']);
    expect(certs['/var/lib/kubernetes/ca.pem'].roles).toEqual(['cluster-ca', 'etcd-ca', 'kubelet-ca']);
    expect(certs['/var/lib/kubernetes/ca.pem'].keyUsage).toEqual(['keyCertSign', 'cRLSign']);
  });

  it('reports the shared certificate and the shared CA as least-privilege findings', () => {
    const multi = result.findings.filter((f) => f.code === 'cert-multiple-roles');
    expect(multi.map((f) => f.path)).toEqual(['/etc/etcd/ca.pem', '/etc/etcd/kubernetes.pem']);
    expect(multi[1].message).toContain('5 roles');
    expect(multi[1].message).toContain('/var/lib/kubernetes/kubernetes.pem');
    expect(multi[0].message).toContain('cluster-ca, etcd-ca, kubelet-ca');
    expect(multi.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('issuer of each copy is the CA file beside it; keys are found by their flags', () => {
    expect(certs['/etc/etcd/kubernetes.pem'].issuerPath).toBe('/etc/etcd/ca.pem');
    expect(certs['/var/lib/kubernetes/kubernetes.pem'].issuerPath).toBe('/var/lib/kubernetes/ca.pem');
    expect(result.certificates.every((c) => c.privateKey === 'present')).toBe(true);
  });

  it('reads the kubeconfigs named by a flag and by the scheduler config', () => {
    expect(result.kubeconfigs.map((k) => [k.path, k.user, k.groups, k.roles, k.caCertificate])).toEqual([
      ['/var/lib/kubernetes/admin.kubeconfig', 'admin', ['system:masters'], ['admin:kubeconfig'], '/var/lib/kubernetes/ca.pem'],
      ['/var/lib/kubernetes/kube-controller-manager.kubeconfig', 'system:kube-controller-manager', ['system:kube-controller-manager'], ['kube-controller-manager:kubeconfig'], '/var/lib/kubernetes/ca.pem'],
      ['/var/lib/kubernetes/kube-scheduler.kubeconfig', 'system:kube-scheduler', ['system:kube-scheduler'], ['kube-scheduler:kubeconfig'], '/var/lib/kubernetes/ca.pem'],
    ]);
  });
});

describe('pki-cases: expiry, trust and bad input', () => {
  const tree = fixtureTree('pki-cases');
  const now = new Date('2040-01-01T00:00:00Z');
  const result = scanCredentials(tree, [], { now });
  const certs = byPath(result.certificates);
  const finding = (code: string, path: string) => result.findings.find((f) => f.code === code && f.path === path);

  it('expired is an error, expiring a warning with its date', () => {
    expect(certs['/etc/kubernetes/pki/expired.crt'].status).toBe('expired');
    expect(finding('cert-expired', '/etc/kubernetes/pki/expired.crt')).toMatchObject({ severity: 'error' });
    expect(finding('cert-expired', '/etc/kubernetes/pki/expired.crt')!.message).toContain('2020-01-01');
    expect(certs['/etc/kubernetes/pki/expiring.crt'].status).toBe('expiring');
    expect(finding('cert-expiring', '/etc/kubernetes/pki/expiring.crt')).toMatchObject({ severity: 'warning' });
    expect(finding('cert-expiring', '/etc/kubernetes/pki/expiring.crt')!.message).toContain('2040-01-20');
  });

  it('the expiry window is configurable and the clock injectable', () => {
    const narrow = scanCredentials(fixtureTree('pki-cases'), [], { now, expiringDays: 7 });
    expect(narrow.certificates.find((c) => c.path.endsWith('/expiring.crt'))!.status).toBe('valid');
    const early = scanCredentials(fixtureTree('pki-cases'), [], { now: new Date('2010-01-01T00:00:00Z') });
    expect(early.certificates.find((c) => c.path.endsWith('/ca.crt'))!.status).toBe('not-yet-valid');
    expect(early.findings.some((f) => f.code === 'cert-not-yet-valid')).toBe(true);
  });

  it('a leaf whose CA is not on the node is noted; a wrong key is a mismatch', () => {
    expect(certs['/etc/kubernetes/pki/orphan.crt'].issuerPath).toBeNull();
    expect(finding('issuer-not-on-node', '/etc/kubernetes/pki/orphan.crt')).toMatchObject({ severity: 'info' });
    expect(certs['/etc/kubernetes/pki/mismatch.crt'].privateKey).toBe('mismatch');
    expect(finding('key-mismatch', '/etc/kubernetes/pki/mismatch.crt')).toMatchObject({ severity: 'error' });
  });

  it('chain files and cert+key files are read whole', () => {
    expect(certs['/etc/kubernetes/pki/chain.crt'].subject).toBe('CN=chained-server');
    expect(certs['/etc/kubernetes/pki/chain.crt#1'].isCA).toBe(true);
    expect(certs['/etc/kubernetes/pki/chain.crt'].privateKey).toBe('present');
    expect(certs['/etc/kubernetes/pki/combined.pem'].privateKey).toBe('present');
  });

  it.each([
    ['pem-truncated', '/etc/kubernetes/pki/truncated.crt'],
    ['key-where-cert-expected', '/etc/kubernetes/pki/key-as-cert.crt'],
    ['pem-der', '/etc/kubernetes/pki/der.crt'],
    ['pem-empty', '/etc/kubernetes/pki/empty.crt'],
    ['pem-missing', '/etc/kubernetes/pki/redacted.crt'],
  ])('bad input %s at %s is a finding, and the file is not a certificate', (code, path) => {
    expect(finding(code, path)).toBeDefined();
    expect(certs[path]).toBeUndefined();
  });

  it('nothing else is lost to the bad files', () => {
    expect(Object.keys(certs)).toEqual([
      '/etc/kubernetes/pki/ca.crt',
      '/etc/kubernetes/pki/chain.crt',
      '/etc/kubernetes/pki/chain.crt#1',
      '/etc/kubernetes/pki/combined.pem',
      '/etc/kubernetes/pki/expired.crt',
      '/etc/kubernetes/pki/expiring.crt',
      '/etc/kubernetes/pki/mismatch.crt',
      '/etc/kubernetes/pki/orphan.crt',
    ]);
  });

  it('kubeconfigs: an expired embedded client cert, an exec plugin, a file that is not YAML', () => {
    expect(result.kubeconfigs.map((k) => k.path)).toEqual(['/etc/kubernetes/admin.conf', '/var/lib/kubernetes/exec.kubeconfig']);
    expect(result.kubeconfigs[0]).toMatchObject({ clientCertificateStatus: 'expired', clientCertificateNotAfter: '2020-01-01T00:00:00Z' });
    expect(finding('cert-expired', '/etc/kubernetes/admin.conf')).toMatchObject({ severity: 'error' });
    expect(result.kubeconfigs[1]).toMatchObject({ auth: 'exec', user: 'aws-iam-authenticator', ca: '/etc/kubernetes/pki/ca.crt', caCertificate: '/etc/kubernetes/pki/ca.crt' });
    expect(finding('kubeconfig-invalid', '/var/lib/kubernetes/broken.kubeconfig')!.message).toContain('line 3');
  });

  it('a referenced bad file is an error naming the flag', () => {
    const c = component('kube-apiserver', 'static-pod', '/etc/kubernetes/manifests/kube-apiserver.yaml', [
      '--tls-cert-file=/etc/kubernetes/pki/key-as-cert.crt',
      '--client-ca-file=/etc/kubernetes/pki/nope.crt',
    ]);
    const r = scanCredentials(fixtureTree('pki-cases'), collectReferences([c], []), { now });
    const bad = r.findings.find((f) => f.code === 'key-where-cert-expected')!;
    expect(bad).toMatchObject({ severity: 'error', component: 'kube-apiserver' });
    expect(bad.message).toContain('kube-apiserver --tls-cert-file');
    expect(r.findings.find((f) => f.code === 'referenced-file-missing')).toMatchObject({ path: '/etc/kubernetes/pki/nope.crt', component: 'kube-apiserver' });
  });
});

describe('corpus trees whose PEM files are REDACTED', () => {
  it.each([
    'kubeadm-maxxmoney/v1.16.2-ddd99ec',
    'kubeadm-ebenneil-k8/v1.22.17-b91c3ea',
    'kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4',
  ])('%s: placeholders are findings, kubeconfigs still read', (dir) => {
    const root = join(FIXTURES, 'corpus', dir);
    const manifests = join(root, 'etc/kubernetes/manifests');
    const comps = ['kube-apiserver', 'kube-controller-manager', 'etcd'].flatMap((n) => {
      try {
        return [manifestComponent(join(manifests, `${n}.yaml`), `/etc/kubernetes/manifests/${n}.yaml`)];
      } catch {
        return [];
      }
    });
    const result = scanCredentials(fixtureTree(join('corpus', dir)), collectReferences(comps, []), { now: NOW });
    expect(result.certificates).toEqual([]);
    const placeholder = result.findings.filter((f) => f.code === 'pem-missing');
    expect(placeholder.length).toBeGreaterThanOrEqual(12);
    expect(placeholder.every((f) => f.message.includes('REDACTED'))).toBe(true);
    // Referenced by a flag: an error; only lying in the directory: a warning.
    const apiserverCrt = placeholder.find((f) => f.path === '/etc/kubernetes/pki/apiserver.crt')!;
    expect(apiserverCrt.severity).toBe('error');
    expect(result.kubeconfigs.map((k) => k.path)).toEqual([
      '/etc/kubernetes/admin.conf',
      '/etc/kubernetes/controller-manager.conf',
      '/etc/kubernetes/kubelet.conf',
      '/etc/kubernetes/scheduler.conf',
    ]);
    expect(result.kubeconfigs.every((k) => typeof k.server === 'string' && k.auth === 'client-certificate')).toBe(true);
  });

  it('follows the v1.22 kubelet.conf to kubelet-client-current.pem, which the dump does not hold', () => {
    const result = scanCredentials(fixtureTree('corpus/kubeadm-ebenneil-k8/v1.22.17-b91c3ea'), [], { now: NOW });
    const kc = result.kubeconfigs.find((k) => k.path === '/etc/kubernetes/kubelet.conf')!;
    expect(kc).toMatchObject({ clientCertificate: '/var/lib/kubelet/pki/kubelet-client-current.pem', user: null, server: 'https://10.0.0.75:6443' });
    expect(result.findings.find((f) => f.code === 'referenced-file-missing')).toMatchObject({
      path: '/var/lib/kubelet/pki/kubelet-client-current.pem',
      component: 'kubelet',
    });
  });
});
