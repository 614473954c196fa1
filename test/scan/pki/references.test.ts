import { join } from 'node:path';
import { FILE_REF_RULES, fileRefRule } from '../../../src/knowledge/file-refs.js';
import { collectReferences } from '../../../src/scan/pki/index.js';
import { component, config, FIXTURES, hardWayControllerComponents, kubeadmMasterComponents, manifestComponent } from './helpers.js';

describe('file reference rules', () => {
  it('has one rule per component and flag or field', () => {
    const keys = FILE_REF_RULES.map((r) => `${r.component} ${r.via}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each([
    ['kube-apiserver', '--tls-cert-file', 'kube-apiserver:serving'],
    ['kube-apiserver', '--client-ca-file', 'cluster-ca'],
    ['kube-apiserver', '--etcd-certfile', 'kube-apiserver:etcd-client'],
    ['kube-apiserver', '--etcd-cafile', 'etcd-ca'],
    ['kube-apiserver', '--kubelet-client-certificate', 'kube-apiserver:kubelet-client'],
    ['kube-apiserver', '--proxy-client-cert-file', 'front-proxy:client'],
    ['kube-apiserver', '--requestheader-client-ca-file', 'front-proxy-ca'],
    ['kube-apiserver', '--service-account-key-file', 'service-account'],
    ['kube-apiserver', '--service-account-signing-key-file', 'service-account'],
    ['kube-controller-manager', '--service-account-private-key-file', 'service-account'],
    ['kube-controller-manager', '--cluster-signing-cert-file', 'cluster-ca'],
    ['kube-controller-manager', '--root-ca-file', 'cluster-ca'],
    ['kube-controller-manager', '--authentication-kubeconfig', 'kube-controller-manager:kubeconfig'],
    ['kube-scheduler', 'clientConnection.kubeconfig', 'kube-scheduler:kubeconfig'],
    ['etcd', '--cert-file', 'etcd:server'],
    ['etcd', '--peer-cert-file', 'etcd:peer'],
    ['etcd', '--trusted-ca-file', 'etcd-ca'],
    ['etcd', '--peer-trusted-ca-file', 'etcd-ca'],
    ['kubelet', '--tls-cert-file', 'kubelet:serving'],
    ['kubelet', 'tlsCertFile', 'kubelet:serving'],
    ['kubelet', 'authentication.x509.clientCAFile', 'cluster-ca'],
    ['kubelet', '--bootstrap-kubeconfig', 'kubelet:bootstrap-kubeconfig'],
    ['kube-proxy', 'clientConnection.kubeconfig', 'kube-proxy:kubeconfig'],
  ])('%s %s -> %s', (comp, via, role) => {
    expect(fileRefRule(comp, via)?.role).toBe(role);
  });

  it('pairs certificates with the flag naming their key', () => {
    expect(fileRefRule('kube-apiserver', '--tls-cert-file')?.keyVia).toBe('--tls-private-key-file');
    expect(fileRefRule('etcd', '--peer-cert-file')?.keyVia).toBe('--peer-key-file');
    expect(fileRefRule('kube-apiserver', '--etcd-servers')).toBeUndefined();
  });
});

describe('collectReferences', () => {
  it('follows every PKI flag of a real kubeadm v1.16 apiserver manifest (corpus)', () => {
    const dir = join(FIXTURES, 'corpus/kubeadm-maxxmoney/v1.16.2-ddd99ec/etc/kubernetes/manifests');
    const apiserver = manifestComponent(join(dir, 'kube-apiserver.yaml'), '/etc/kubernetes/manifests/kube-apiserver.yaml');
    const refs = collectReferences([apiserver], []);
    const byVia = Object.fromEntries(refs.map((r) => [r.via, `${r.kind} ${r.role} ${r.path}`]));
    expect(byVia).toEqual({
      '--client-ca-file': 'ca cluster-ca /etc/kubernetes/pki/ca.crt',
      '--etcd-cafile': 'ca etcd-ca /etc/kubernetes/pki/etcd/ca.crt',
      '--etcd-certfile': 'certificate kube-apiserver:etcd-client /etc/kubernetes/pki/apiserver-etcd-client.crt',
      '--etcd-keyfile': 'key kube-apiserver:etcd-client /etc/kubernetes/pki/apiserver-etcd-client.key',
      '--kubelet-client-certificate': 'certificate kube-apiserver:kubelet-client /etc/kubernetes/pki/apiserver-kubelet-client.crt',
      '--kubelet-client-key': 'key kube-apiserver:kubelet-client /etc/kubernetes/pki/apiserver-kubelet-client.key',
      '--proxy-client-cert-file': 'certificate front-proxy:client /etc/kubernetes/pki/front-proxy-client.crt',
      '--proxy-client-key-file': 'key front-proxy:client /etc/kubernetes/pki/front-proxy-client.key',
      '--requestheader-client-ca-file': 'ca front-proxy-ca /etc/kubernetes/pki/front-proxy-ca.crt',
      '--service-account-key-file': 'key service-account /etc/kubernetes/pki/sa.pub',
      '--tls-cert-file': 'certificate kube-apiserver:serving /etc/kubernetes/pki/apiserver.crt',
      '--tls-private-key-file': 'key kube-apiserver:serving /etc/kubernetes/pki/apiserver.key',
    });
    expect(refs.every((r) => r.component === 'kube-apiserver' && /^\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml:\d+$/.test(r.source))).toBe(true);
  });

  it('reads config fields, resolving relative paths against the config file directory', () => {
    const kubelet = config('/var/lib/kubelet/config.yaml', 'KubeletConfiguration', {
      tlsCertFile: 'pki/kubelet.crt',
      tlsPrivateKeyFile: '/var/lib/kubelet/pki/kubelet.key',
      authentication: { x509: { clientCAFile: '../../../etc/kubernetes/pki/ca.crt' } },
    });
    const proxy = config('/var/lib/kube-proxy/kube-proxy-config.yaml', 'KubeProxyConfiguration', { clientConnection: { kubeconfig: 'kubeconfig' } });
    const refs = collectReferences([], [kubelet, proxy]);
    expect(refs.map((r) => `${r.path} ${r.role} ${r.source}`)).toEqual([
      '/etc/kubernetes/pki/ca.crt cluster-ca /var/lib/kubelet/config.yaml',
      '/var/lib/kube-proxy/kubeconfig kube-proxy:kubeconfig /var/lib/kube-proxy/kube-proxy-config.yaml',
      '/var/lib/kubelet/pki/kubelet.crt kubelet:serving /var/lib/kubelet/config.yaml',
      '/var/lib/kubelet/pki/kubelet.key kubelet:serving /var/lib/kubelet/config.yaml',
    ]);
  });

  it('skips overridden flags unless the flag is repeatable, and splits --tls-sni-cert-key', () => {
    const c = component('kube-apiserver', 'systemd', '/etc/systemd/system/kube-apiserver.service', [
      '--tls-cert-file=/old.crt',
      '--tls-cert-file=/new.crt',
      '--service-account-key-file=/sa1.pub',
      '--service-account-key-file=/sa2.pub',
      '--tls-sni-cert-key=/sni/a.crt,/sni/a.key:*.example.com',
      '--client-ca-file=',
    ]);
    c.flags[0].overridden = true;
    c.flags[2].overridden = true;
    const refs = collectReferences([c], []);
    expect(refs.map((r) => `${r.path} ${r.kind} ${r.via}`)).toEqual([
      '/new.crt certificate --tls-cert-file',
      '/sa1.pub key --service-account-key-file',
      '/sa2.pub key --service-account-key-file',
      '/sni/a.crt certificate --tls-sni-cert-key',
      '/sni/a.key key --tls-sni-cert-key',
    ]);
  });

  it('finds the kubeconfig a scheduler config names, with the component taken from the kind', () => {
    const { components, configs } = hardWayControllerComponents();
    const refs = collectReferences(components, configs);
    const kubeconfigs = refs.filter((r) => r.kind === 'kubeconfig').map((r) => `${r.component} ${r.path}`);
    expect(kubeconfigs).toEqual([
      'kube-controller-manager /var/lib/kubernetes/kube-controller-manager.kubeconfig',
      'kube-scheduler /var/lib/kubernetes/kube-scheduler.kubeconfig',
    ]);
    expect(refs.filter((r) => r.path === '/var/lib/kubernetes/kubernetes.pem').map((r) => r.role).sort()).toEqual([
      'kube-apiserver:etcd-client',
      'kube-apiserver:kubelet-client',
      'kube-apiserver:serving',
    ]);
  });

  it('is sorted and without duplicates', () => {
    const { components, configs } = kubeadmMasterComponents();
    const refs = collectReferences([...components, ...components], configs);
    const keys = refs.map((r) => [r.path, r.component, r.via, r.kind, r.source].join(' '));
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort((a, b) => a.localeCompare(b))).toEqual(keys.map((k) => k));
  });
});
