/** Component config files: found from flags, read whole, secrets never kept. */
import { loadConfigFile, redactSecrets, isSecretKey, scanConfigs } from '../../../src/scan/configs/index.js';
import { corpusTree, daemon, memTree } from '../static-pod/helpers.js';

const KTHW = 'kubernetes-the-hard-way';

function kubeletRef(path: string) {
  return { path, component: 'kubelet', flag: '--config', kind: 'KubeletConfiguration', source: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf:4' };
}

describe('loadConfigFile', () => {
  it('reads the kubeadm-written KubeletConfiguration (joneconsulting, ~1.20)', () => {
    const r = loadConfigFile(corpusTree('kubeadm-joneconsulting/9fb3aa1'), kubeletRef('/var/lib/kubelet/config.yaml'));
    expect(r.findings).toEqual([]);
    expect(r.config).toMatchObject({ path: '/var/lib/kubelet/config.yaml', kind: 'KubeletConfiguration', apiVersion: 'kubelet.config.k8s.io/v1beta1', component: 'kubelet' });
    const c = r.config!.content as Record<string, any>;
    expect(c.staticPodPath).toBe('/etc/kubernetes/manifests');
    expect(c.cgroupDriver).toBe('cgroupfs');
    expect(c.authentication.x509.clientCAFile).toBe('/etc/kubernetes/pki/ca.crt');
    expect(c.authorization.mode).toBe('Webhook');
    expect(c.clusterDNS).toEqual(['10.96.0.10']);
  });

  it('reads the v1.33.2 transcript KubeletConfiguration: systemd cgroups, anonymous auth off', () => {
    const r = loadConfigFile(corpusTree('kubeadm-transcript-v1.33.2/v1.33.2'), kubeletRef('/var/lib/kubelet/config.yaml'));
    const c = r.config!.content as Record<string, any>;
    expect(c.cgroupDriver).toBe('systemd');
    expect(c.authentication.anonymous.enabled).toBe(false);
    expect(c.resolvConf).toBe('/run/systemd/resolve/resolv.conf');
    expect(c.staticPodPath).toBe('/etc/kubernetes/manifests');
    expect(c.healthzPort).toBe(10248);
  });

  it('a missing file is a warning that names the flag and where it was set', () => {
    const r = loadConfigFile(memTree({ '/etc/x': '' }), kubeletRef('/var/lib/kubelet/config.yaml'));
    expect(r.config).toBeNull();
    expect(r.findings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'config-file-missing', path: '/var/lib/kubelet/config.yaml', component: 'kubelet' }),
    ]);
    expect(r.findings[0].message).toContain('10-kubeadm.conf:4');
  });

  it('a file of the wrong kind is read and reported', () => {
    const tree = memTree({ '/var/lib/kubelet/config.yaml': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\n' });
    const r = loadConfigFile(tree, kubeletRef('/var/lib/kubelet/config.yaml'));
    expect(r.config?.kind).toBe('KubeProxyConfiguration');
    expect(r.findings).toEqual([expect.objectContaining({ code: 'config-unexpected-kind', line: 2 })]);
  });

  it('broken YAML is a finding with its line', () => {
    const tree = memTree({ '/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\nstaticPodPath: [\n' });
    const r = loadConfigFile(tree, kubeletRef('/var/lib/kubelet/config.yaml'));
    expect(r.config).toBeNull();
    expect(r.findings[0]).toMatchObject({ code: 'yaml-parse-error', path: '/var/lib/kubelet/config.yaml', component: 'kubelet' });
    expect(r.findings[0].line).toBeGreaterThanOrEqual(2);
  });
});

describe('scanConfigs follows the hard way flags (2018, k8s 1.12)', () => {
  const tree = corpusTree(`${KTHW}/2018-09-1.12.0`);
  const components = [
    daemon('kube-apiserver', '/usr/local/bin/kube-apiserver', [['--experimental-encryption-provider-config', '/var/lib/kubernetes/encryption-config.yaml']]),
    daemon('kube-scheduler', '/usr/local/bin/kube-scheduler', [['--config', '/etc/kubernetes/config/kube-scheduler.yaml']]),
    daemon('kube-proxy', '/usr/local/bin/kube-proxy', [['--config', '/var/lib/kube-proxy/kube-proxy-config.yaml']]),
    daemon('kubelet', '/usr/local/bin/kubelet', [['--config', '/var/lib/kubelet/kubelet-config.yaml']]),
  ];
  const r = scanConfigs(tree, components);

  it('finds each config file, sorted by path, with kind and component', () => {
    expect(r.configs.map((c) => [c.path, c.kind, c.component])).toEqual([
      ['/etc/kubernetes/config/kube-scheduler.yaml', 'KubeSchedulerConfiguration', 'kube-scheduler'],
      ['/var/lib/kube-proxy/kube-proxy-config.yaml', 'KubeProxyConfiguration', 'kube-proxy'],
      ['/var/lib/kubelet/kubelet-config.yaml', 'KubeletConfiguration', 'kubelet'],
      ['/var/lib/kubernetes/encryption-config.yaml', 'EncryptionConfig', 'kube-apiserver'],
    ]);
    expect(r.findings).toEqual([]);
    const proxy = r.configs[1].content as Record<string, any>;
    expect(proxy.mode).toBe('iptables');
    expect(proxy.clusterCIDR).toBe('10.200.0.0/16');
  });

  it('keeps provider kinds and key names of the encryption config, never the secret', () => {
    const enc = r.configs[3].content as Record<string, any>;
    expect(enc.resources[0].resources).toEqual(['secrets']);
    expect(enc.resources[0].providers[0].aescbc.keys).toEqual([{ name: 'key1', secret: 'present' }]);
    expect(enc.resources[0].providers[1]).toEqual({ identity: {} });
    expect(JSON.stringify(r)).not.toContain('REDACTED');
  });

  it('the 2024 hard way still writes the old EncryptionConfig kind (no finding), placeholder secret redacted', () => {
    const t = corpusTree(`${KTHW}/2024-11-1.31.2`);
    const r24 = scanConfigs(t, [daemon('kube-apiserver', '/usr/local/bin/kube-apiserver', [['--encryption-provider-config', '/var/lib/kubernetes/encryption-config.yaml']])]);
    expect(r24.configs[0]).toMatchObject({ kind: 'EncryptionConfig', apiVersion: 'v1' });
    expect(r24.findings).toEqual([]);
    expect(JSON.stringify(r24.configs)).not.toContain('ENCRYPTION_KEY');
  });

  it('the last --config wins', () => {
    const twice = daemon('kube-proxy', '/usr/local/bin/kube-proxy', [['--config', '/nowhere.yaml'], ['--config', '/var/lib/kube-proxy/kube-proxy-config.yaml']]);
    expect(scanConfigs(tree, [twice]).configs.map((c) => c.path)).toEqual(['/var/lib/kube-proxy/kube-proxy-config.yaml']);
  });
});

describe('redactSecrets', () => {
  it('replaces secret-named scalars anywhere, keeps structure and empty values', () => {
    const input = {
      kind: 'EncryptionConfiguration',
      resources: [{ providers: [{ secretbox: { keys: [{ name: 'k1', secret: 'c2VjcmV0IGtleSAzMiBieXRlcyBsb25nISEhISEhIQ==' }] } }, { kms: { name: 'vault', endpoint: 'unix:///kms.sock' } }] }],
      users: [{ name: 'admin', user: { token: 'abc.def', password: 'pw', 'client-key-data': 'LS0t', clientSecret: 's' } }],
      staticPodURLHeader: { Authorization: ['Bearer xyz'] },
      authorization: { mode: 'Webhook' },
      tokenFile: '/etc/tokens.csv',
      bootstrapToken: '',
    };
    const out = redactSecrets(input) as any;
    expect(out.resources[0].providers[0].secretbox.keys[0]).toEqual({ name: 'k1', secret: 'present' });
    expect(out.resources[0].providers[1].kms).toEqual({ name: 'vault', endpoint: 'unix:///kms.sock' });
    expect(out.users[0].user).toEqual({ token: 'present', password: 'present', 'client-key-data': 'present', clientSecret: 'present' });
    expect(out.staticPodURLHeader.Authorization).toEqual(['present']);
    expect(out.authorization).toEqual({ mode: 'Webhook' });
    expect(out.tokenFile).toBe('/etc/tokens.csv');
    expect(out.bootstrapToken).toBe('');
    const text = JSON.stringify(out);
    for (const secret of ['c2VjcmV0', 'abc.def', '"pw"', 'LS0t', 'Bearer']) expect(text).not.toContain(secret);
    expect(input.users[0].user.token).toBe('abc.def');
  });

  it('names secrets by field and flag name', () => {
    expect(['secret', 'token', '--etcd-password', 'client_secret', 'client-key-data'].every(isSecretKey)).toBe(true);
    expect(['--token-auth-file', 'secretName', 'name', 'tokenTTL', '--tls-private-key-file'].some(isSecretKey)).toBe(false);
  });
});
