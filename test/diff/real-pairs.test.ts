/**
 * The differ on real node trees: the seed kubeadm master (and variants of it made in a temp dir),
 * the seed worker and the hard-way controller, scanned and compared as `kdiff A B` does.
 * What means nothing gives no difference; what weakens a node is `security` with a fitting severity;
 * other value changes are `config`; a same-layout comparison has no `layout` entry.
 */
import { MASTER2_EDITS, brief, cleanUp, diffTrees, type Edit } from './real-pairs.js';

const MASTER = 'seed-kubeadm-master';
const API = 'etc/kubernetes/manifests/kube-apiserver.yaml';
const ETCD = 'etc/kubernetes/manifests/etcd.yaml';
const KUBELET_CONFIG = 'var/lib/kubelet/config.yaml';

const master = (...edits: Edit[]) => ({ base: MASTER, edits });
const apiFlag = (flag: string): Edit => [API, '    - --secure-port=6443\n', `    - --secure-port=6443\n    - ${flag}\n`];

afterAll(cleanUp);

describe('same cluster, same meaning: no differences', () => {
  it.each(['seed-kubeadm-master', 'seed-kubeadm-worker', 'seed-hard-way-controller'])('%s against itself', (name) => {
    expect(brief(diffTrees(name, name))).toEqual([]);
    expect(brief(diffTrees(name, { base: name }))).toEqual([]);
  });

  it('a second master of the same cluster (own name, address, serving and node certificates)', () => {
    const r = diffTrees(MASTER, { base: MASTER, overlay: 'master2', edits: MASTER2_EDITS });
    expect(brief(r)).toEqual([]);
  });

  it('tells the two masters apart when identity normalization is off', () => {
    const r = diffTrees(MASTER, { base: MASTER, overlay: 'master2', edits: MASTER2_EDITS }, { normalizeIdentity: false });
    const keys = r.differences.map((d) => d.key);
    expect(keys).toEqual(expect.arrayContaining(['--advertise-address', '--name', 'etcd:server', 'kube-apiserver:serving']));
    expect(r.differences.every((d) => d.category !== 'layout')).toBe(true);
  });

  it('renewed certificates (new serials and dates, same identity), kubeconfigs and a regenerated kubelet serving pair', () => {
    expect(brief(diffTrees(MASTER, { base: MASTER, overlay: 'renewed' }))).toEqual([]);
  });

  it('a reordered admission plugin list, and a default plugin named explicitly', () => {
    const l = master([API, '--enable-admission-plugins=NodeRestriction', '--enable-admission-plugins=NodeRestriction,PodNodeSelector,AlwaysPullImages']);
    const r = master([API, '--enable-admission-plugins=NodeRestriction', '--enable-admission-plugins=AlwaysPullImages,NamespaceLifecycle,NodeRestriction,PodNodeSelector']);
    expect(brief(diffTrees(l, r))).toEqual([]);
  });

  it('a flag spelled at its default, --flag against --flag=true, 2h against 120m', () => {
    const r = master(
      apiFlag('--profiling=true'),
      apiFlag('--event-ttl=120m'),
      [API, '--allow-privileged=true', '--allow-privileged'],
      [KUBELET_CONFIG, 'streamingConnectionIdleTimeout: 4h0m0s', 'streamingConnectionIdleTimeout: 240m'],
    );
    expect(brief(diffTrees(master(apiFlag('--event-ttl=2h')), r))).toEqual([]);
  });
});

describe('changes that weaken a node are security, with a fitting severity', () => {
  it('apiserver anonymous auth turned back on against a hardened master', () => {
    const r = diffTrees(master(apiFlag('--anonymous-auth=false')), master(apiFlag('--anonymous-auth=true')));
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({ component: 'kube-apiserver', key: '--anonymous-auth', category: 'security', severity: 'warning' });
  });

  it('apiserver anonymous auth spelled out against the seed is nothing: it is kube-apiserver\'s default', () => {
    expect(brief(diffTrees(MASTER, master(apiFlag('--anonymous-auth=true'))))).toEqual([]);
  });

  it.each([
    ['apiserver AlwaysAllow', master([API, '--authorization-mode=Node,RBAC', '--authorization-mode=AlwaysAllow']), 'kube-apiserver --authorization-mode', 'error'],
    ['kubelet read-only port', master([KUBELET_CONFIG, 'port: 10250\n', 'port: 10250\nreadOnlyPort: 10255\n']), 'kubelet --read-only-port', 'warning'],
    ['etcd without client cert auth', master([ETCD, '    - --client-cert-auth=true\n', '']), 'etcd --client-cert-auth', 'error'],
  ])('%s', (_, variant, what, severity) => {
    const r = diffTrees(MASTER, variant);
    expect(r.differences).toHaveLength(1);
    const [d] = r.differences;
    expect(`${d.component} ${d.key}`).toBe(what);
    expect(d).toMatchObject({ category: 'security', severity });
  });

  it('and the same change the other way round is no warning', () => {
    const r = diffTrees(master([API, '--authorization-mode=Node,RBAC', '--authorization-mode=AlwaysAllow']), MASTER);
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({ category: 'security', severity: 'info' });
  });
});

describe('other value changes are config', () => {
  it('a changed service CIDR', () => {
    const r = diffTrees(MASTER, master([API, '--service-cluster-ip-range=10.96.0.0/12', '--service-cluster-ip-range=10.97.0.0/16']));
    expect(brief(r)).toEqual(['kube-apiserver flag --service-cluster-ip-range changed config/warning']);
  });

  it('a logging knob is config, but only info', () => {
    const r = diffTrees(MASTER, master(apiFlag('--v=4')));
    expect(brief(r)).toEqual(['kube-apiserver flag --v added config/info']);
  });

  it('a certificate moved elsewhere is layout, once: the flag that names it says where', () => {
    const moved = '/etc/kubernetes/pki/serving/apiserver.crt';
    const r = diffTrees(MASTER, {
      base: MASTER,
      moves: [['etc/kubernetes/pki/apiserver.crt', moved.slice(1)], ['etc/kubernetes/pki/apiserver.key', moved.slice(1).replace('.crt', '.key')]],
      edits: [
        [API, '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt', `--tls-cert-file=${moved}`],
        [API, '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key', `--tls-private-key-file=${moved.replace('.crt', '.key')}`],
      ],
    });
    expect(brief(r)).toEqual(['kube-apiserver flag --tls-cert-file changed layout/info', 'kube-apiserver flag --tls-private-key-file changed layout/info']);
    expect(r.differences[0]).toMatchObject({ left: '/etc/kubernetes/pki/apiserver.crt', right: moved });
  });

  it('a bundle file compares as one certificate with its bundled CA', () => {
    const r = diffTrees(MASTER, { base: MASTER, overlay: 'master2', edits: MASTER2_EDITS }, { normalizeIdentity: false });
    const kubelet = r.differences.filter((d) => d.key.startsWith('kubelet:serving') || d.key.includes('#'));
    expect(kubelet.map((d) => d.key)).toEqual(['kubelet:serving']);
    expect(kubelet[0].message).toMatch(/bundled certificates CN=master-ca@<time> <- CN=master-ca@<time> vs CN=master2-ca@<time>/);
  });
});

describe('kubeadm against the hard way (the seed pair)', () => {
  const r = diffTrees('seed-kubeadm-master', 'seed-hard-way-controller');
  const find = (component: string | null, key: string) => r.differences.filter((d) => d.component === component && d.key === key);

  it('shows run modes for the four control-plane components, and no binary paths beside them', () => {
    expect(r.differences.filter((d) => d.category === 'run-mode').map((d) => d.component)).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    expect(r.differences.filter((d) => d.key === 'binary')).toEqual([]);
  });

  it('reports certificate and kubeconfig paths as layout (info), never as security', () => {
    for (const key of ['--cert-file', '--key-file', '--trusted-ca-file', '--peer-cert-file']) expect(find('etcd', key)).toMatchObject([{ category: 'layout', severity: 'info' }]);
    for (const key of ['--tls-cert-file', '--etcd-certfile', '--etcd-keyfile', '--client-ca-file', '--kubelet-client-certificate']) {
      expect(find('kube-apiserver', key)).toMatchObject([{ category: 'layout', severity: 'info' }]);
    }
    expect(find('kube-controller-manager', '--kubeconfig')).toMatchObject([{ category: 'layout' }]);
    // The kubeconfig's own move is the flag's; its embedded CA and client certificate are not repeated.
    expect(r.differences.filter((d) => d.subject === 'kubeconfig' && d.category === 'layout').map((d) => d.key)).toEqual(['kube-scheduler:kubeconfig', 'admin:kubeconfig']);
  });

  it('keeps presence of a security setting as security: encryption at rest on the right only', () => {
    expect(find('kube-apiserver', '--encryption-provider-config')).toMatchObject([{ category: 'security', change: 'added' }]);
    expect(r.differences.filter((d) => d.key === 'EncryptionConfig')).toEqual([]);
  });

  it('pairs the hard way\'s one CA at two paths as one etcd-ca, reported once', () => {
    const etcdCa = find(null, 'etcd-ca');
    expect(etcdCa.map((d) => `${d.change} ${d.category}`)).toEqual(['changed certificate']);
    expect(etcdCa[0].message).toContain('on right the same certificate also serves as cluster-ca, kubelet-ca');
  });

  it('names kubernetes.pem\'s other roles where it differs from kubeadm\'s dedicated certificates', () => {
    const [serving] = find('kube-apiserver', 'kube-apiserver:serving');
    expect(serving.message).toContain('on right the same certificate also serves as etcd:peer, etcd:server, kube-apiserver:etcd-client, kube-apiserver:kubelet-client');
  });

  it('compares the admission plugins in effect: only Initializers differs, removed in 1.16', () => {
    const [d] = find('kube-apiserver', '--enable-admission-plugins');
    expect(d).toMatchObject({ category: 'security', left: null, right: 'Initializers' });
    expect(d.message).toContain('Initializers was removed in 1.16');
  });

  it('grades operational knobs info and the kubelet\'s absence once, with its certificate and kubeconfig', () => {
    for (const [c, k] of [['kube-apiserver', '--v'], ['kube-apiserver', '--apiserver-count'], ['kube-apiserver', '--audit-log-maxage'], ['etcd', '--snapshot-count'], ['etcd', '--initial-cluster']]) {
      expect(find(c, k)).toMatchObject([{ category: 'config', severity: 'info' }]);
    }
    expect(r.differences.filter((d) => d.component === 'kubelet').map((d) => d.key)).toEqual(['kubelet']);
    expect(r.differences.some((d) => d.key.includes('#'))).toBe(false);
  });

  it('does not take the other controllers\' addresses for this node\'s', () => {
    expect(find('kube-apiserver', '--etcd-servers')[0].right).toBe('https://<node-ip>:2379,https://10.240.0.11:2379,https://10.240.0.12:2379');
  });
});
