import { diffNodes } from '../../src/diff/index.js';
import type { DiffReport, NodeModel } from '../../src/model/types.js';
import { fakeKnowledge } from './fake-knowledge.js';
import { cert, clone, component, config, flags, kubeadmNode, kubeconfig, node } from './nodes.js';

const knowledge = fakeKnowledge;
const diff = (l: NodeModel, r: NodeModel, o = {}): DiffReport => diffNodes(l, r, { knowledge, ...o });
const keys = (r: DiffReport) => r.differences.map((d) => `${d.component ?? '-'} ${d.subject} ${d.key} ${d.category}`);
const apiserver = (n: NodeModel) => n.components.find((c) => c.name === 'kube-apiserver')!;
const kubelet = (n: NodeModel) => n.components.find((c) => c.name === 'kubelet')!;
const setFlag = (n: NodeModel, comp: string, spec: string) => {
  const c = n.components.find((x) => x.name === comp)!;
  const [f] = flags('/test', spec);
  c.flags = c.flags.filter((x) => x.name !== f.name).concat(f);
};

describe('diffNodes: nothing that means nothing', () => {
  it('finds no difference between a node and itself', () => {
    const a = kubeadmNode();
    const r = diff(a, clone(a));
    expect(r.differences).toEqual([]);
    expect(r.summary).toEqual({ differences: 0, byCategory: {}, bySeverity: {} });
    expect(r.kdiff).toBe('report');
    expect(r.schemaVersion).toBe(1);
  });

  it('ignores the order of flags, certificates, kubeconfigs and SANs', () => {
    const a = kubeadmNode();
    const b = clone(a);
    apiserver(b).flags.reverse();
    b.certificates.reverse();
    b.kubeconfigs.reverse();
    b.certificates[0].sans.reverse();
    expect(diff(a, b).differences).toEqual([]);
  });

  it('compares a set-like flag as a set but an ordered list in order', () => {
    const a = kubeadmNode();
    setFlag(a, 'kube-apiserver', '--enable-admission-plugins=NodeRestriction,LimitRanger,ServiceAccount');
    setFlag(a, 'kube-apiserver', '--authorization-mode=Node,RBAC');
    const b = clone(a);
    setFlag(b, 'kube-apiserver', '--enable-admission-plugins=ServiceAccount,NodeRestriction,LimitRanger');
    expect(diff(a, b).differences).toEqual([]);
    setFlag(b, 'kube-apiserver', '--authorization-mode=RBAC,Node');
    expect(keys(diff(a, b))).toEqual(['kube-apiserver flag --authorization-mode security']);
  });

  it('takes --flag as --flag=true, 1h as 60m, and quotes as gone', () => {
    const a = kubeadmNode();
    const b = clone(a);
    setFlag(a, 'kube-apiserver', '--event-ttl=1h');
    setFlag(b, 'kube-apiserver', "--event-ttl='60m'");
    setFlag(a, 'kube-apiserver', '--anonymous-auth=false');
    setFlag(b, 'kube-apiserver', '--anonymous-auth="false"');
    expect(diff(a, b).differences).toEqual([]);
    setFlag(a, 'kube-apiserver', '--profiling');
    setFlag(b, 'kube-apiserver', '--profiling=true');
    // Unknown to the knowledge: a bare flag is recorded with value "true" by the scanners.
    expect(diff(a, b).differences).toEqual([]);
  });

  it('takes a flag spelled out at its default as the flag absent', () => {
    const a = kubeadmNode();
    const b = clone(a);
    setFlag(b, 'kube-apiserver', '--event-ttl=1h');
    setFlag(b, 'kube-apiserver', '--v=0');
    expect(diff(a, b).differences).toEqual([]);
    setFlag(b, 'kube-apiserver', '--event-ttl=2h');
    const r = diff(a, b);
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({ key: '--event-ttl', change: 'added', category: 'config', left: null, right: '2h' });
    expect(r.differences[0].message).toContain('default 1h');
  });

  it('pairs a renamed flag with its new name', () => {
    const a = kubeadmNode();
    const b = clone(a);
    apiserver(a).flags = apiserver(a).flags.map((f) => (f.name === '--enable-admission-plugins' ? { ...f, name: '--admission-control' } : f));
    expect(diff(a, b).differences).toEqual([]);
  });

  it('uses the effective occurrence of a repeated flag', () => {
    const a = kubeadmNode();
    const b = clone(a);
    const k = kubelet(b);
    k.flags.push({ name: '--node-ip', value: '10.9.9.9', source: '/etc/default/kubelet:1', overridden: true });
    expect(diff(a, b).differences).toEqual([]);
  });

  it('finds no drift in a renewed certificate (new serial, dates, fingerprint)', () => {
    const a = kubeadmNode();
    const b = clone(a);
    for (const c of b.certificates) {
      c.serial = '7f';
      c.notBefore = '2025-01-01T00:00:00.000Z';
      c.notAfter = '2026-01-01T00:00:00.000Z';
      c.sha256 = 'bb'.repeat(32);
    }
    b.certificates[2].subject = 'CN=cp-1@1735689600';
    b.certificates[2].issuer = 'CN=cp-1-ca@1735689600';
    expect(diff(a, b).differences).toEqual([]);
  });
});

describe('diffNodes: node identity', () => {
  it('does not tell two nodes of one cluster apart by name and address', () => {
    const r = diff(kubeadmNode('cp-1', '10.0.0.11'), kubeadmNode('cp-2', '10.0.0.12'));
    expect(r.differences).toEqual([]);
  });

  it('takes members of one etcd cluster, listing the same members, as alike; another member list differs', () => {
    const members = 'cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380';
    const member = (name: string, ip: string, list = members) => {
      const n = kubeadmNode(name, ip);
      const etcd = n.components.find((c) => c.name === 'etcd')!;
      etcd.flags = etcd.flags.map((f) => (f.name === '--initial-cluster' ? { ...f, value: list } : f));
      return n;
    };
    expect(diff(member('cp-1', '10.0.0.11'), member('cp-2', '10.0.0.12')).differences).toEqual([]);
    const other = diff(member('cp-1', '10.0.0.11'), member('cp-2', '10.0.0.12', members.replace('cp-3=https://10.0.0.13', 'cp-4=https://10.0.0.14')));
    expect(other.differences.map((d) => d.key)).toEqual(['--initial-cluster']);
    expect(other.differences[0]).toMatchObject({ left: members, right: members.replace('cp-3=https://10.0.0.13', 'cp-4=https://10.0.0.14') });
  });

  it('tells them apart when identity normalization is off', () => {
    const r = diff(kubeadmNode('cp-1', '10.0.0.11'), kubeadmNode('cp-2', '10.0.0.12'), { normalizeIdentity: false });
    const k = keys(r);
    expect(k).toContain('kube-apiserver flag --advertise-address config');
    expect(k).toContain('etcd flag --name config');
    expect(k).toContain('kubelet flag --node-ip config');
    expect(k).toContain('kube-apiserver certificate kube-apiserver:serving certificate');
    expect(r.differences.find((d) => d.key === '--advertise-address')).toMatchObject({ left: '10.0.0.11', right: '10.0.0.12' });
  });

  it('still reports a real address change that is not the node itself', () => {
    const a = kubeadmNode('cp-1', '10.0.0.11');
    const b = kubeadmNode('cp-2', '10.0.0.12');
    setFlag(b, 'kube-apiserver', '--etcd-servers=https://10.0.0.50:2379');
    expect(keys(diff(a, b))).toEqual(['kube-apiserver flag --etcd-servers config']);
  });
});

describe('diffNodes: security', () => {
  it('calls a weakening change security with the verdict severity, and a strengthening one info', () => {
    const a = kubeadmNode();
    const b = clone(a);
    setFlag(b, 'kube-apiserver', '--anonymous-auth=true');
    const weaker = diff(a, b).differences;
    expect(weaker).toHaveLength(1);
    expect(weaker[0]).toMatchObject({ component: 'kube-apiserver', subject: 'flag', key: '--anonymous-auth', change: 'changed', category: 'security', severity: 'warning', left: 'false', right: 'true' });
    expect(weaker[0].message).toMatch(/right is weaker: anonymous requests reach the API/);
    const stronger = diff(b, a).differences;
    expect(stronger[0]).toMatchObject({ category: 'security', severity: 'info' });
  });

  it('takes an absent flag at its default when judging (anonymous auth defaults to on)', () => {
    const a = kubeadmNode();
    const b = clone(a);
    apiserver(b).flags = apiserver(b).flags.filter((f) => f.name !== '--anonymous-auth');
    const [d] = diff(a, b).differences;
    expect(d).toMatchObject({ key: '--anonymous-auth', change: 'removed', category: 'security', severity: 'warning', left: 'false', right: null });
    expect(d.message).toContain('unset on right (default true)');
  });

  it('notes a removed flag still set past its removal', () => {
    const a = kubeadmNode();
    const b = clone(a);
    apiserver(b).version = 'v1.25.0';
    apiserver(a).version = 'v1.25.0';
    setFlag(b, 'kube-apiserver', '--insecure-port=8080');
    const [d] = diff(a, b).differences;
    expect(d).toMatchObject({ key: '--insecure-port', category: 'security', severity: 'error' });
    expect(d.message).toContain('--insecure-port was removed in 1.24 (right runs v1.25.0)');
    apiserver(b).version = 'v1.20.0';
    apiserver(a).version = 'v1.20.0';
    expect(diff(a, b).differences.find((x) => x.key === '--insecure-port')?.message).not.toContain('removed in');
  });

  it('says a removed flag set on both sides once, with both versions', () => {
    const a = kubeadmNode();
    const b = clone(a);
    setFlag(a, 'kube-apiserver', '--insecure-port=8080');
    setFlag(b, 'kube-apiserver', '--insecure-port=8081');
    apiserver(a).version = 'v1.25.0';
    apiserver(b).version = 'v1.25.0';
    const d = diff(a, b).differences.find((x) => x.key === '--insecure-port')!;
    expect(d.message).toContain('--insecure-port was removed in 1.24 (both run v1.25.0)');
    expect(d.message.match(/removed in/g)).toHaveLength(1);
    apiserver(b).version = 'v1.26.0';
    const two = diff(a, b).differences.find((x) => x.key === '--insecure-port')!;
    expect(two.message).toContain('--insecure-port was removed in 1.24 (left runs v1.25.0); --insecure-port was removed in 1.24 (right runs v1.26.0)');
  });

  it('names the sides in messages as asked (an audit: the baseline and this node)', () => {
    const a = kubeadmNode();
    const b = clone(a);
    apiserver(b).flags = apiserver(b).flags.filter((f) => f.name !== '--anonymous-auth');
    const plain = diff(a, b).differences[0].message;
    const audit = diff(a, b, { sides: { left: 'the baseline', right: 'this node' } }).differences[0].message;
    expect(plain).toMatch(/false on left .* unset on right \(default true\); right is weaker/);
    expect(audit).toBe(plain.replace('on left', 'on the baseline').replace('on right', 'on this node').replace('; right is weaker', '; this node is weaker'));
  });

  it('treats a kubelet not enabled at boot as a security warning, another daemon as config', () => {
    const a = kubeadmNode();
    const b = clone(a);
    kubelet(b).enabled = false;
    expect(diff(a, b).differences[0]).toMatchObject({ subject: 'enabled', category: 'security', severity: 'warning', left: true, right: false });
    const c = node({ components: [component('containerd', { runMode: 'systemd' })] });
    const d = clone(c);
    d.components[0].enabled = false;
    expect(diff(c, d).differences[0]).toMatchObject({ subject: 'enabled', category: 'config', severity: 'warning' });
  });
});

describe('diffNodes: kubelet flags and config file compare as one', () => {
  const byFlags = () => {
    const n = kubeadmNode();
    const k = kubelet(n);
    k.flags = flags('/etc/systemd/system/kubelet.service', '--kubeconfig=/var/lib/kubelet/kubeconfig', '--anonymous-auth=false',
      '--cgroup-driver=systemd', '--cluster-dns=10.96.0.10', '--read-only-port=0', '--node-ip=10.0.0.11');
    n.configs = [];
    return n;
  };

  it('matches a kubelet configured by file with one configured by flags, field by field', () => {
    const a = kubeadmNode();
    // Fields that mirror no flag are summed up by --config, the flag naming the file, set on one side only.
    const r = diff(a, byFlags());
    expect(keys(r).sort()).toEqual([
      'kubelet flag --config config',
      'kubelet flag --kubeconfig layout',
    ].sort());
    expect(r.differences.some((d) => ['--anonymous-auth', '--cgroup-driver', '--cluster-dns', '--read-only-port'].includes(d.key))).toBe(false);
  });

  it('gives the kubelet flag precedence over the config file', () => {
    const a = kubeadmNode();
    const b = clone(a);
    setFlag(b, 'kubelet', '--cgroup-driver=cgroupfs');
    const [d] = diff(a, b).differences;
    expect(d).toMatchObject({ component: 'kubelet', subject: 'flag', key: '--cgroup-driver', left: 'systemd', right: 'cgroupfs', category: 'config' });
    expect(d.message).toContain('cgroupDriver in /var/lib/kubelet/config.yaml');
  });

  it('uses the config-file default for an unset setting when the kubelet runs with --config', () => {
    const a = kubeadmNode();
    const b = clone(a);
    (b.configs[0].content as Record<string, unknown>).readOnlyPort = 0;
    expect(diff(a, b).differences).toEqual([]);
    (b.configs[0].content as Record<string, unknown>).readOnlyPort = 10255;
    const [d] = diff(a, b).differences;
    expect(d).toMatchObject({ key: '--read-only-port', category: 'security', severity: 'warning', change: 'added', right: '10255' });
  });

  it('compares maps and durations from the config file by meaning', () => {
    const a = kubeadmNode();
    const b = clone(a);
    (a.configs[0].content as Record<string, unknown>).featureGates = { B: true, A: false };
    (a.configs[0].content as Record<string, unknown>).runtimeRequestTimeout = '15m';
    setFlag(b, 'kubelet', '--feature-gates=A=false,B=true');
    setFlag(b, 'kubelet', '--runtime-request-timeout=900s');
    expect(diff(a, b).differences).toEqual([]);
  });

  it('compares other config files field by field, by dotted path', () => {
    const enc = (secretName: string, provider: string) =>
      config('/etc/kubernetes/enc.yaml', 'EncryptionConfiguration', 'kube-apiserver', {
        kind: 'EncryptionConfiguration',
        resources: [{ resources: ['secrets'], providers: [{ [provider]: { keys: [{ name: secretName, secret: 'present' }] } }, { identity: {} }] }],
      });
    const a = kubeadmNode();
    const b = clone(a);
    a.configs.push(enc('key1', 'aescbc'));
    b.configs.push(enc('key2', 'aescbc'));
    const r = diff(a, b);
    expect(r.differences.map((d) => [d.key, d.change, d.left, d.right])).toEqual([
      ['EncryptionConfiguration.resources[0].providers[0].aescbc.keys[key1]', 'removed', { name: 'key1', secret: 'present' }, null],
      ['EncryptionConfiguration.resources[0].providers[0].aescbc.keys[key2]', 'added', null, { name: 'key2', secret: 'present' }],
    ]);
    expect(r.differences[0]).toMatchObject({ component: 'kube-apiserver', subject: 'config', category: 'config' });
    const c = clone(a);
    c.configs.pop();
    const one = diff(a, c).differences;
    expect(one).toEqual([expect.objectContaining({ subject: 'file', key: 'EncryptionConfiguration', change: 'removed', category: 'config' })]);
  });
});

describe('diffNodes: layout, run mode, presence, version', () => {
  it('calls a path flag that differs layout, and does not repeat it for the certificate the flag names', () => {
    const a = kubeadmNode();
    const b = clone(a);
    setFlag(b, 'kube-apiserver', '--tls-cert-file=/var/lib/kubernetes/kubernetes.pem');
    b.certificates[0].path = '/var/lib/kubernetes/kubernetes.pem';
    expect(diff(a, b).differences.map((d) => [d.subject, d.key, d.category, d.severity])).toEqual([
      ['flag', '--tls-cert-file', 'layout', 'info'],
    ]);
    // Moved with no flag naming it, the certificate's own layout difference says so.
    const c = clone(a);
    c.certificates[0].path = '/var/lib/kubernetes/kubernetes.pem';
    expect(diff(a, c).differences.map((d) => [d.subject, d.key, d.category, d.severity])).toEqual([
      ['certificate', 'kube-apiserver:serving', 'layout', 'info'],
    ]);
  });

  it('reports run mode, version, image registry and presence each on its own', () => {
    const a = kubeadmNode();
    const b = clone(a);
    const api = apiserver(b);
    api.runMode = 'systemd';
    api.image = null;
    api.binary = '/usr/local/bin/kube-apiserver';
    api.enabled = true;
    api.version = 'v1.32.0';
    const etcd = b.components.find((c) => c.name === 'etcd')!;
    etcd.image = 'k8s.gcr.io/etcd:3.5.15-0';
    etcd.version = 'v1.31.3';
    b.components.push(component('kube-proxy', { runMode: 'systemd' }));
    expect(keys(diff(a, b))).toEqual([
      'etcd component image config',
      'etcd version version config'.replace(' config', ' version'),
      'kube-apiserver run-mode runMode run-mode',
      'kube-apiserver version version version',
      'kube-proxy component kube-proxy presence',
    ]);
    const r = diff(a, b);
    expect(r.differences.find((d) => d.component === 'kube-apiserver' && d.subject === 'version')?.severity).toBe('warning');
    expect(r.differences.find((d) => d.component === 'etcd' && d.subject === 'version')?.severity).toBe('info');
  });
});

describe('diffNodes: certificates and kubeconfigs by role', () => {
  it('reports identity and status changes, not dates', () => {
    const a = kubeadmNode();
    const b = clone(a);
    b.certificates[0].sans = b.certificates[0].sans.filter((s) => s !== 'IP:10.96.0.1').concat('DNS:extra');
    b.certificates[0].status = 'expired';
    const r = diff(a, b);
    expect(r.differences.map((d) => [d.key, d.category, d.severity])).toEqual([
      ['kube-apiserver:serving', 'certificate', 'warning'],
      ['kube-apiserver:serving', 'certificate', 'error'],
    ]);
    expect(r.differences[0].message).toContain('right lacks IP:10.96.0.1');
    expect(r.differences[0].message).toContain('right adds DNS:extra');
    expect(r.differences[0].left).toEqual({ sans: ['DNS:<node-name>', 'DNS:kubernetes', 'IP:10.96.0.1', 'IP:<node-ip>'] });
  });

  it('recomputes the status from the dates when given a clock', () => {
    const a = kubeadmNode();
    const b = clone(a);
    b.certificates[1].notAfter = '2024-06-10T00:00:00.000Z';
    const now = new Date('2024-06-01T00:00:00.000Z');
    const [d] = diff(a, b, { now, expiringDays: 30 }).differences;
    expect(d).toMatchObject({ key: 'cluster-ca', left: 'valid', right: 'expiring', severity: 'warning', component: null });
    expect(diff(a, b, { now, expiringDays: 5 }).differences).toEqual([]);
  });

  it('pairs a certificate with several roles under each role', () => {
    const hard = node({
      certificates: [cert('/var/lib/kubernetes/kubernetes.pem', { roles: ['kube-apiserver:etcd-client', 'kube-apiserver:serving'] })],
    });
    const kubeadm = node({
      certificates: [
        cert('/etc/kubernetes/pki/apiserver.crt'),
        cert('/etc/kubernetes/pki/apiserver-etcd-client.crt', { subject: 'CN=kube-apiserver-etcd-client', roles: ['kube-apiserver:etcd-client'] }),
      ],
    });
    const r = diff(kubeadm, hard);
    expect(r.differences.map((d) => [d.key, d.category, d.left, d.right])).toEqual([
      ['kube-apiserver:etcd-client', 'certificate', { subject: 'CN=kube-apiserver-etcd-client' }, { subject: 'CN=kube-apiserver' }],
      ['kube-apiserver:etcd-client', 'layout', '/etc/kubernetes/pki/apiserver-etcd-client.crt', '/var/lib/kubernetes/kubernetes.pem'],
      ['kube-apiserver:serving', 'layout', '/etc/kubernetes/pki/apiserver.crt', '/var/lib/kubernetes/kubernetes.pem'],
    ]);
  });

  it('pairs certificates without a role by path, and reports one that is gone', () => {
    const a = node({ certificates: [cert('/etc/extra/a.crt', { roles: [] }), cert('/etc/kubernetes/pki/front-proxy-ca.crt', { roles: ['front-proxy-ca'] })] });
    const b = node({ certificates: [cert('/etc/extra/a.crt', { roles: [], serial: '99' })] });
    expect(diff(a, b).differences.map((d) => [d.component, d.key, d.change, d.category])).toEqual([
      [null, 'front-proxy-ca', 'removed', 'certificate'],
    ]);
  });

  it('compares kubeconfigs by role: identity is security, server is config, paths are layout', () => {
    const a = kubeadmNode();
    const b = clone(a);
    b.kubeconfigs[0] = kubeconfig('/var/lib/kubernetes/kube-scheduler.kubeconfig', { server: 'https://127.0.0.1:6443', user: 'system:kube-scheduler', groups: ['system:masters'] });
    expect(keys(diff(a, b))).toEqual([
      'kube-scheduler kubeconfig kube-scheduler:kubeconfig layout',
      'kube-scheduler kubeconfig kube-scheduler:kubeconfig security',
      'kube-scheduler kubeconfig kube-scheduler:kubeconfig.server config',
    ]);
    // A CA read from a file on one side and embedded on the other is a layout difference of its own.
    const c = clone(b);
    c.kubeconfigs[0].ca = '/var/lib/kubernetes/ca.pem';
    expect(keys(diff(a, c))).toContain('kube-scheduler kubeconfig kube-scheduler:kubeconfig.ca layout');
  });
});

describe('diffNodes: report shape', () => {
  it('is deterministic, whatever the input order, and counts its summary', () => {
    const a = kubeadmNode();
    const b = kubeadmNode('cp-2', '10.0.0.12');
    setFlag(b, 'kube-apiserver', '--anonymous-auth=true');
    setFlag(b, 'kube-apiserver', '--tls-cert-file=/srv/apiserver.crt');
    b.components.push(component('kube-proxy'));
    const r1 = diff(a, b, { labels: { left: 'a.json', right: 'b.json' } });
    const b2 = clone(b);
    b2.components.reverse();
    b2.certificates.reverse();
    const r2 = diff(a, b2, { labels: { left: 'a.json', right: 'b.json' } });
    expect(r2).toEqual(r1);
    expect(r1.left).toEqual({ label: 'a.json', style: 'kubeadm', role: 'control-plane' });
    expect(r1.summary.differences).toBe(r1.differences.length);
    expect(r1.summary.byCategory).toEqual({ layout: 1, presence: 1, security: 1 });
    expect(r1.summary.bySeverity).toEqual({ info: 1, warning: 2 });
    for (const d of r1.differences) {
      expect(Object.keys(d)).toEqual(['component', 'subject', 'key', 'change', 'category', 'severity', 'left', 'right', 'message']);
      expect(d.message).toMatch(/^[A-Za-z].*\.$/);
    }
  });

  it('never carries a secret-looking flag value into the report', () => {
    const a = node({ components: [component('kube-apiserver', { flags: flags('/x', '--some-token=abc') })] });
    const b = node({ components: [component('kube-apiserver', { flags: flags('/x', '--some-token=s3cr3t-value') })] });
    const text = JSON.stringify(diff(a, b));
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('present (sha256:');
  });

  it('runs with the real knowledge module by default', () => {
    const a = kubeadmNode();
    expect(diffNodes(a, clone(a)).differences).toEqual([]);
    const b = clone(a);
    setFlag(b, 'kube-apiserver', '--anonymous-auth=true');
    expect(diffNodes(a, b).differences.map((d) => d.key)).toEqual(['--anonymous-auth']);
  });
});
