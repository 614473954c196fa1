import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import {
  admissionPluginLifecycle,
  admissionPluginRemovedAt,
  canonicalFlagName,
  configFieldForFlag,
  effectiveAdmissionPlugins,
  effectiveDefault,
  flagForConfigField,
  flagInfo,
  flagLifecycle,
  isBooleanFlag,
  knownFlags,
  parseMinor,
  referenceFor,
  removedAt,
} from '../../src/knowledge/flags.js';
import { CORPUS, corpusText, get, manifestFlags, unitFlags } from './corpus-flags.js';

const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kubelet', 'kube-proxy'];

describe('flagInfo: types from the references and the curated tables', () => {
  it.each([
    ['kube-apiserver', '--enable-admission-plugins', 'set'],
    ['kube-apiserver', '--disable-admission-plugins', 'set'],
    ['kube-apiserver', '--tls-cipher-suites', 'set'],
    ['kube-apiserver', '--api-audiences', 'set'],
    ['kube-apiserver', '--authorization-mode', 'list'],
    ['kube-apiserver', '--etcd-servers', 'url-list'],
    ['kube-apiserver', '--feature-gates', 'map'],
    ['kube-apiserver', '--runtime-config', 'map'],
    ['kube-apiserver', '--service-cluster-ip-range', 'cidr'],
    ['kube-apiserver', '--secure-port', 'port'],
    ['kube-apiserver', '--event-ttl', 'duration'],
    ['kube-apiserver', '--tls-cert-file', 'path'],
    ['kube-apiserver', '--anonymous-auth', 'bool'],
    ['kube-apiserver', '--advertise-address', 'ip'],
    ['kube-controller-manager', '--cluster-cidr', 'cidr'],
    ['kube-controller-manager', '--controllers', 'set'],
    ['kubelet', '--pod-cidr', 'cidr'],
    ['kubelet', '--eviction-hard', 'map'],
    ['kubelet', '--kube-reserved', 'map'],
    ['kubelet', '--system-reserved', 'map'],
    ['kubelet', '--node-labels', 'map'],
    ['kubelet', '--read-only-port', 'port'],
    ['kubelet', '--cluster-dns', 'list'],
    ['kubelet', '--container-log-max-size', 'quantity'],
    ['etcd', '--listen-client-urls', 'url-list'],
    ['etcd', '--client-cert-auth', 'bool'],
    ['etcd', '--initial-cluster', 'set'],
    ['etcd', '--heartbeat-interval', 'int'],
    ['kube-proxy', '--cluster-cidr', 'cidr'],
    ['kube-proxy', '--nodeport-addresses', 'set'],
  ])('%s %s is %s', (component, flag, type) => {
    const info = flagInfo(component, flag);
    expect(info?.type).toBe(type);
    expect(info?.name).toBe(flag);
    expect(info?.legacy).toBeUndefined();
  });

  it('cites the reference version and line', () => {
    expect(flagInfo('kube-apiserver', '--anonymous-auth')?.source).toMatch(/kube-apiserver\.md \(Kubernetes v1\.31\), line \d+/);
    expect(flagInfo('kubelet', '--read-only-port')?.source).toContain('Kubernetes v1.30');
    expect(flagInfo('etcd', '--client-cert-auth')?.source).toContain('etcd v3.5');
    expect(referenceFor('kube-scheduler')).toEqual({ version: 'v1.31', source: expect.stringContaining('kube-scheduler.md') });
    expect(referenceFor('etcd')?.version).toBe('v3.5.33');
  });

  it('gives defaults normalized, and pflag zero values where the reference prints none', () => {
    expect(flagInfo('kube-apiserver', '--anonymous-auth')?.default).toBe('true');
    expect(flagInfo('kube-apiserver', '--event-ttl')?.default).toBe('3600s');
    expect(flagInfo('kube-apiserver', '--secure-port')?.default).toBe('6443');
    expect(flagInfo('kube-apiserver', '--authorization-mode')?.default).toBe('AlwaysAllow');
    expect(flagInfo('kube-apiserver', '--enable-bootstrap-token-auth')).toMatchObject({ default: 'false', defaultFrom: 'zero-value' });
    expect(flagInfo('kubelet', '--eviction-hard')?.default).toBe('imagefs.available=15%,memory.available=104857600,nodefs.available=10%');
    expect(flagInfo('kubelet', '--read-only-port')?.default).toBe('10255');
    expect(flagInfo('etcd', '--listen-client-urls')?.default).toBe('http://localhost:2379');
    expect(flagInfo('kube-proxy', '--metrics-bind-address')?.default).toBe('127.0.0.1:10249');
  });

  it('maps kubelet and kube-proxy flags to their config fields', () => {
    expect(flagInfo('kubelet', '--read-only-port')).toMatchObject({ configField: 'readOnlyPort', configKind: 'KubeletConfiguration' });
    expect(flagInfo('kube-proxy', '--cluster-cidr')).toMatchObject({ configField: 'clusterCIDR', configKind: 'KubeProxyConfiguration' });
    expect(flagInfo('kube-apiserver', '--secure-port')?.configField).toBeNull();
    expect(configFieldForFlag('kubelet', '--anonymous-auth')).toEqual({ kind: 'KubeletConfiguration', field: 'authentication.anonymous.enabled' });
  });

  it('keeps deprecation text', () => {
    expect(flagInfo('kubelet', '--read-only-port')?.deprecated).toMatch(/config file/);
    expect(flagInfo('kube-apiserver', '--anonymous-auth')?.deprecated).toBeNull();
  });

  it('answers nothing for unknown flags and components', () => {
    expect(flagInfo('kube-apiserver', '--no-such-flag')).toBeUndefined();
    expect(flagInfo('containerd', '--config')).toBeUndefined();
    expect(canonicalFlagName('kube-apiserver', '--no-such-flag')).toBe('--no-such-flag');
    expect(isBooleanFlag('kube-apiserver', '--no-such-flag')).toBe(false);
  });

  it('finds shorthand, bare and underscore spellings', () => {
    expect(canonicalFlagName('kube-apiserver', 'secure-port')).toBe('--secure-port');
    expect(canonicalFlagName('kube-apiserver', '--secure-port=6443')).toBe('--secure-port');
    expect(canonicalFlagName('kube-proxy', '--log-dir')).toBe('--log_dir');
    expect(canonicalFlagName('kube-proxy', '--log_dir')).toBe('--log_dir');
    expect(flagInfo('kubelet', '-v')?.name).toBe('--v');
    expect(flagInfo('kube-apiserver', '-h')?.name).toBe('--help');
  });

  it('knows etcd bare booleans, so `--name controller-0` keeps its value (hard way, 2017)', () => {
    const flags = unitFlags('etcd', 'kubernetes-the-hard-way/2017-12-1.9.0/etc/systemd/system/etcd.service');
    expect(isBooleanFlag('etcd', '--client-cert-auth')).toBe(true);
    expect(isBooleanFlag('etcd', '--peer-client-cert-auth')).toBe(true);
    expect(isBooleanFlag('etcd', '--name')).toBe(false);
    expect(get(flags, '--client-cert-auth')).toBeNull();
    expect(get(flags, '--name')).toBe('controller-0');
    expect(get(flags, '--initial-cluster-state')).toBe('new');
  });
});

describe('old names', () => {
  it('finds a renamed flag by its old name, with the new name and type (kubeadm v1.8.1 apiserver)', () => {
    const flags = manifestFlags('kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4/etc/kubernetes/manifests/kube-apiserver.yaml');
    expect(flags.has('--admission-control')).toBe(true);
    const info = flagInfo('kube-apiserver', '--admission-control');
    expect(info).toMatchObject({ name: '--enable-admission-plugins', type: 'set' });
    expect(canonicalFlagName('kube-apiserver', '--experimental-encryption-provider-config')).toBe('--encryption-provider-config');
    expect(canonicalFlagName('kube-apiserver', '--service-account-api-audiences')).toBe('--api-audiences');
    expect(canonicalFlagName('kube-controller-manager', '--address')).toBe('--bind-address');
    expect(canonicalFlagName('kube-scheduler', '--address')).toBe('--bind-address');
    expect(canonicalFlagName('kube-scheduler', '--lock-object-name')).toBe('--leader-elect-resource-name');
    expect(canonicalFlagName('kubelet', '--experimental-bootstrap-kubeconfig')).toBe('--bootstrap-kubeconfig');
  });

  it('takes etcd 3.6 names as canonical, with the 3.5 flag facts', () => {
    expect(flagInfo('etcd', '--experimental-corrupt-check-time')).toMatchObject({ name: '--corrupt-check-time', type: 'duration' });
    expect(flagInfo('etcd', '--corrupt-check-time')?.type).toBe('duration');
    expect(flagInfo('etcd', '--experimental-memory-mlock')).toMatchObject({ name: '--memory-mlock', type: 'bool' });
  });

  it('types flags the current references no longer list', () => {
    expect(flagInfo('kube-apiserver', '--insecure-port')).toMatchObject({ name: '--insecure-port', type: 'port', default: '8080', legacy: true });
    expect(flagInfo('kube-apiserver', '--kubelet-https')).toMatchObject({ type: 'bool', legacy: true });
    expect(flagInfo('kube-apiserver', '--enable-swagger-ui')?.type).toBe('bool');
    expect(flagInfo('kube-apiserver', '--insecure-bind-address')?.type).toBe('ip');
    expect(flagInfo('kube-controller-manager', '--port')?.type).toBe('port');
    expect(flagInfo('kubelet', '--allow-privileged')?.type).toBe('bool');
    expect(flagInfo('kubelet', '--image-pull-progress-deadline')?.type).toBe('duration');
    expect(isBooleanFlag('kubelet', '--require-kubeconfig')).toBe(true);
  });

  it('knows every flag in every corpus unit, manifest, drop-in and env file', () => {
    const missing: string[] = [];
    let checked = 0;
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = `${dir}/${name}`;
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    for (const file of walk(fileURLToPath(CORPUS))) {
      let component = COMPONENTS.find((c) => (file.endsWith(`/manifests/${c}.yaml`) || file.endsWith(`/${c}.service`)));
      if (!component && /kubelet\.service\.d|kubeadm-flags\.env|default\/kubelet$|sysconfig\/kubelet$/.test(file)) component = 'kubelet';
      if (!component) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[\s"'=])(--[a-z][a-z0-9_-]*)/gm)) {
        checked++;
        if (!flagInfo(component, m[1])) missing.push(`${component} ${m[1]} (${file})`);
      }
    }
    expect(checked).toBeGreaterThan(400);
    expect(missing).toEqual([]);
  });
});

describe('lifecycle and removedAt', () => {
  it('places --insecure-port: deprecated 1.10, removed 1.24 (release notes)', () => {
    const facts = flagLifecycle('kube-apiserver', '--insecure-port');
    expect(facts.map((f) => `${f.change} ${f.version}`)).toEqual(['deprecated 1.10', 'deprecated 1.20', 'removed 1.24']);
    expect(removedAt('kube-apiserver', '--insecure-port', 'v1.8.1')).toBeUndefined();
    expect(removedAt('kube-apiserver', '--insecure-port', 'v1.23.17')).toBeUndefined();
    expect(removedAt('kube-apiserver', '--insecure-port', 'v1.24.0')).toMatchObject({ version: '1.24', evidence: 'release-note' });
    expect(removedAt('kube-apiserver', '--insecure-port', '1.31')?.source).toContain('PR #106859');
    expect(removedAt('kube-apiserver', '--insecure-port', null)?.version).toBe('1.24');
  });

  it('compares minors as numbers, not text (1.9 < 1.24 < 1.100)', () => {
    expect(parseMinor('v1.12.0')).toEqual([1, 12]);
    expect(parseMinor('3.5.9-0')).toEqual([3, 5]);
    expect(parseMinor('latest')).toBeUndefined();
    expect(removedAt('kube-apiserver', '--experimental-encryption-provider-config', 'v1.9.0')).toBeUndefined();
    expect(removedAt('kube-apiserver', '--experimental-encryption-provider-config', 'v1.100.0')?.version).toBe('1.24');
  });

  it('uses reference drops where no release note names the removal, and says so', () => {
    expect(removedAt('kube-apiserver', '--enable-swagger-ui', 'v1.31.2')).toMatchObject({ version: '1.14', evidence: 'reference-drop' });
    expect(removedAt('kube-apiserver', '--kubelet-https', 'v1.21.0')).toMatchObject({ version: '1.19', evidence: 'reference-drop' });
    expect(removedAt('kube-apiserver', '--kubelet-https', 'v1.18.0')).toBeUndefined();
    // hidden, not removed: a release note talks about it after it left the reference
    expect(removedAt('kube-apiserver', '--enable-logs-handler', 'v1.31.0')).toBeUndefined();
    // hidden (MarkDeprecated) in kube-proxy v1.31, still accepted
    expect(removedAt('kube-proxy', '--healthz-port', 'v1.31.0')).toBeUndefined();
  });

  it('names renames, and only the old name is removed', () => {
    const facts = flagLifecycle('kube-apiserver', '--admission-control');
    expect(facts.find((f) => f.change === 'renamed')).toMatchObject({ replacement: '--enable-admission-plugins', version: '1.10' });
    expect(removedAt('kube-apiserver', '--enable-admission-plugins', 'v1.31.0')).toBeUndefined();
    expect(flagLifecycle('kube-apiserver', '--enable-admission-plugins').map((f) => f.flag)).toContain('--admission-control');
    expect(removedAt('kube-controller-manager', '--address', 'v1.24.0')?.version).toBe('1.24');
    expect(removedAt('kube-controller-manager', '--bind-address', 'v1.24.0')).toBeUndefined();
  });

  it('uses etcd minors for etcd', () => {
    expect(removedAt('etcd', '--experimental-corrupt-check-time', '3.5.15')).toBeUndefined();
    expect(removedAt('etcd', '--experimental-corrupt-check-time', 'v3.6.0')).toBeUndefined();
    expect(removedAt('etcd', '--experimental-corrupt-check-time', 'v3.7.0')?.version).toBe('3.7');
    expect(removedAt('etcd', '--enable-v2', '3.4')).toBeUndefined();
    expect(removedAt('etcd', '--enable-v2', '3.6.1')?.version).toBe('3.6');
  });

  it('knows admission plugins that went away (Initializers on the v1.8.1 and 2017 hard-way apiservers)', () => {
    const kubeadm = manifestFlags('kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4/etc/kubernetes/manifests/kube-apiserver.yaml');
    const hardWay = unitFlags('kube-apiserver', 'kubernetes-the-hard-way/2017-12-1.9.0/etc/systemd/system/kube-apiserver.service');
    for (const flags of [kubeadm, hardWay]) {
      expect((get(flags, '--admission-control') ?? '').split(',')).toContain('Initializers');
    }
    expect(admissionPluginRemovedAt('Initializers', 'v1.8.1')).toBeUndefined();
    expect(admissionPluginRemovedAt('Initializers', 'v1.31.2')?.version).toBe('1.16');
    expect(admissionPluginRemovedAt('PodSecurityPolicy', 'v1.25.0')?.replacement).toBe('PodSecurity');
    expect(admissionPluginLifecycle('PersistentVolumeLabel').map((f) => f.change)).toEqual(['deprecated', 'removed']);
    expect(admissionPluginRemovedAt('NodeRestriction', null)).toBeUndefined();
  });

  it('works out the admission plugins in effect', () => {
    const hardWay2024 = unitFlags('kube-apiserver', 'kubernetes-the-hard-way/2024-11-1.31.2/etc/systemd/system/kube-apiserver.service');
    const on = effectiveAdmissionPlugins({ enable: get(hardWay2024, '--enable-admission-plugins') });
    expect(on).toContain('NodeRestriction');
    expect(on).toContain('PodSecurity');
    expect(effectiveAdmissionPlugins({ disable: 'PodSecurity' })).not.toContain('PodSecurity');
    expect(effectiveAdmissionPlugins({ admissionControl: 'NamespaceLifecycle,NodeRestriction' })).toEqual(['NamespaceLifecycle', 'NodeRestriction']);
  });
});

describe('config-file fields', () => {
  it.each([
    ['KubeletConfiguration', 'readOnlyPort', '--read-only-port'],
    ['KubeletConfiguration', 'authentication.anonymous.enabled', '--anonymous-auth'],
    ['KubeletConfiguration', 'authentication.webhook.enabled', '--authentication-token-webhook'],
    ['KubeletConfiguration', 'authentication.x509.clientCAFile', '--client-ca-file'],
    ['KubeletConfiguration', 'authorization.mode', '--authorization-mode'],
    ['KubeletConfiguration', 'clusterDNS', '--cluster-dns'],
    ['KubeletConfiguration', 'clusterDomain', '--cluster-domain'],
    ['KubeletConfiguration', 'staticPodPath', '--pod-manifest-path'],
    ['KubeletConfiguration', 'podCIDR', '--pod-cidr'],
    ['KubeletConfiguration', 'tlsCertFile', '--tls-cert-file'],
    ['KubeProxyConfiguration', 'clusterCIDR', '--cluster-cidr'],
    ['KubeProxyConfiguration', 'mode', '--proxy-mode'],
    ['KubeProxyConfiguration', 'clientConnection.kubeconfig', '--kubeconfig'],
    ['KubeProxyConfiguration', 'metricsBindAddress', '--metrics-bind-address'],
  ])('%s %s <-> %s', (kind, field, flag) => {
    expect(flagForConfigField(kind, field)).toBe(flag);
    const component = kind === 'KubeletConfiguration' ? 'kubelet' : 'kube-proxy';
    expect(configFieldForFlag(component, flag)).toEqual({ kind, field });
  });

  it('maps the fields of the hard-way kubelet and kube-proxy config files', () => {
    const leaves = (obj: unknown, prefix = ''): string[] =>
      obj !== null && typeof obj === 'object' && !Array.isArray(obj)
        ? Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
        : [prefix];
    const kubelet = load(corpusText('kubernetes-the-hard-way/2024-11-1.31.2/var/lib/kubelet/kubelet-config.yaml'));
    const unmapped = leaves(kubelet).filter((f) => !['kind', 'apiVersion'].includes(f) && !flagForConfigField('KubeletConfiguration', f));
    expect(unmapped).toEqual([]);
    const proxy = load(corpusText('kubernetes-the-hard-way/2024-11-1.31.2/var/lib/kube-proxy/kube-proxy-config.yaml'));
    expect(leaves(proxy).filter((f) => !['kind', 'apiVersion'].includes(f)).map((f) => flagForConfigField('KubeProxyConfiguration', f))).toEqual([
      '--kubeconfig',
      '--proxy-mode',
      '--cluster-cidr',
    ]);
  });

  it('round-trips every mirrored flag', () => {
    for (const component of ['kubelet', 'kube-proxy']) {
      for (const flag of knownFlags(component)) {
        const mirror = configFieldForFlag(component, flag);
        if (mirror) expect(flagForConfigField(mirror.kind, mirror.field)).toBe(flag);
      }
    }
    expect(flagForConfigField('KubeletConfiguration', 'noSuchField')).toBeUndefined();
    expect(flagForConfigField('Nope', 'readOnlyPort')).toBeUndefined();
  });
});

describe('effectiveDefault', () => {
  it('applies the kubelet --config caveat', () => {
    expect(effectiveDefault('kubelet', '--read-only-port')).toBe('10255');
    expect(effectiveDefault('kubelet', '--read-only-port', { viaConfigFile: true })).toBe('0');
    expect(effectiveDefault('kubelet', '--anonymous-auth')).toBe('true');
    expect(effectiveDefault('kubelet', '--anonymous-auth', { viaConfigFile: true })).toBe('false');
    expect(effectiveDefault('kubelet', '--authorization-mode')).toBe('AlwaysAllow');
    expect(effectiveDefault('kubelet', '--authorization-mode', { viaConfigFile: true })).toBe('Webhook');
    expect(effectiveDefault('kubelet', '--authentication-token-webhook', { viaConfigFile: true })).toBe('true');
    // the same either way
    expect(effectiveDefault('kubelet', '--cgroup-driver', { viaConfigFile: true })).toBe('cgroupfs');
  });

  it('returns typed defaults, null when unknown', () => {
    expect(effectiveDefault('kube-apiserver', '--authorization-mode')).toEqual(['AlwaysAllow']);
    expect(effectiveDefault('kube-apiserver', '--enable-admission-plugins')).toEqual([]);
    expect(effectiveDefault('kube-apiserver', '--runtime-config')).toEqual({});
    expect(effectiveDefault('etcd', '--listen-client-urls')).toEqual(['http://localhost:2379']);
    expect(effectiveDefault('kube-apiserver', '--deserialization-cache-size')).toBeNull();
    expect(effectiveDefault('kube-apiserver', '--no-such-flag')).toBeNull();
  });
});
