/** The systemd scanner on the real files in fixtures/ (see fixtures/corpus/SOURCES.md and the fixture READMEs). */
import { openDirectory } from '../../../src/source/open.js';
import { scanSystemd } from '../../../src/scan/systemd/index.js';
import type { Component } from '../../../src/model/types.js';

function scan(dir: string): ReturnType<typeof scanSystemd> {
  return scanSystemd(openDirectory(`fixtures/${dir}`).tree);
}

function summary(components: Component[]): Array<[string, string, number, boolean | null]> {
  return components.map((c) => [c.name, c.runMode, c.flags.length, c.enabled]);
}

/** The effective value of a flag (the last occurrence), as `name=value`. */
function flag(c: Component | undefined, name: string): string | undefined {
  const hits = (c?.flags ?? []).filter((f) => f.name === name);
  return hits.length > 0 ? `${name}=${hits[hits.length - 1].value}` : undefined;
}

function codes(r: ReturnType<typeof scanSystemd>): string[] {
  return r.findings.map((f) => `${f.severity} ${f.code} ${f.path}${f.line ? ':' + f.line : ''}`);
}

const HW = 'corpus/kubernetes-the-hard-way';

describe('seed hard-way controller (the article\'s apiserver unit, verbatim)', () => {
  const r = scan('seed-hard-way-controller');
  const api = r.components.find((c) => c.name === 'kube-apiserver');

  it('runs the four control-plane components as enabled systemd daemons', () => {
    expect(summary(r.components)).toEqual([
      ['etcd', 'systemd', 17, true],
      ['kube-apiserver', 'systemd', 29, true],
      ['kube-controller-manager', 'systemd', 12, true],
      ['kube-scheduler', 'systemd', 2, true],
    ]);
    expect(r.units.every((u) => u.wantedBy.join() === 'multi-user.target')).toBe(true);
  });

  it('reads exactly the flags the article lists, in its order, each with its own line', () => {
    expect(api?.binary).toBe('/usr/local/bin/kube-apiserver');
    expect(api?.flags.map((f) => `${f.name}=${f.value}`)).toEqual([
      '--advertise-address=',
      '--allow-privileged=true',
      '--apiserver-count=3',
      '--audit-log-maxage=30',
      '--audit-log-maxbackup=3',
      '--audit-log-maxsize=100',
      '--audit-log-path=/var/log/audit.log',
      '--authorization-mode=Node,RBAC',
      '--bind-address=0.0.0.0',
      '--client-ca-file=/var/lib/kubernetes/ca.pem',
      '--enable-admission-plugins=Initializers,NamespaceLifecycle,NodeRestriction,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota',
      '--enable-swagger-ui=true',
      '--etcd-cafile=/var/lib/kubernetes/ca.pem',
      '--etcd-certfile=/var/lib/kubernetes/kubernetes.pem',
      '--etcd-keyfile=/var/lib/kubernetes/kubernetes-key.pem',
      '--etcd-servers=https://10.240.0.10:2379,https://10.240.0.11:2379,https://10.240.0.12:2379',
      '--event-ttl=1h',
      '--experimental-encryption-provider-config=/var/lib/kubernetes/encryption-config.yaml',
      '--kubelet-certificate-authority=/var/lib/kubernetes/ca.pem',
      '--kubelet-client-certificate=/var/lib/kubernetes/kubernetes.pem',
      '--kubelet-client-key=/var/lib/kubernetes/kubernetes-key.pem',
      '--kubelet-https=true',
      '--runtime-config=api/all',
      '--service-account-key-file=/var/lib/kubernetes/service-account.pem',
      '--service-cluster-ip-range=10.32.0.0/24',
      '--service-node-port-range=30000-32767',
      '--tls-cert-file=/var/lib/kubernetes/kubernetes.pem',
      '--tls-private-key-file=/var/lib/kubernetes/kubernetes-key.pem',
      '--v=2',
    ]);
    expect(api?.flags.map((f) => f.source)).toEqual(
      Array.from({ length: 29 }, (_, i) => `/etc/systemd/system/kube-apiserver.service:${i + 6}`),
    );
  });

  it('says the unit is broken as written ("\\\\" does not continue a line), and that ${INTERNAL_IP} is empty', () => {
    const U = '/etc/systemd/system/kube-apiserver.service';
    expect(codes(r)).toEqual([`warning systemd-double-backslash ${U}:5`, `info systemd-unset-variable ${U}:6`]);
    expect(r.findings[0]).toMatchObject({ component: 'kube-apiserver' });
    expect(r.findings[0].message).toContain('29 line(s)');
    expect(r.findings[1].message).toContain('${INTERNAL_IP}');
    expect(r.findings[1].message).toContain('"--advertise-address="');
  });

  it('reads the etcd unit copied from KTHW 2018 (space-separated values, bare booleans)', () => {
    const etcd = r.components.find((c) => c.name === 'etcd');
    expect(flag(etcd, '--name')).toBe('--name=controller-0');
    expect(etcd?.flags.find((f) => f.name === '--client-cert-auth')).toMatchObject({ value: 'true', bare: true });
    expect(flag(etcd, '--initial-cluster-state')).toBe('--initial-cluster-state=new');
  });
});

describe('Kubernetes The Hard Way, 2017 to 2025', () => {
  it.each([
    ['2017-12-1.9.0', [['etcd', 17], ['kube-apiserver', 31], ['kube-controller-manager', 11], ['kube-proxy', 4], ['kube-scheduler', 3], ['kubelet', 18]]],
    ['2018-09-1.12.0', [['containerd', 0], ['etcd', 17], ['kube-apiserver', 29], ['kube-controller-manager', 12], ['kube-proxy', 1], ['kube-scheduler', 2], ['kubelet', 8]]],
    ['2021-05-1.21.0', [['containerd', 0], ['etcd', 17], ['kube-apiserver', 29], ['kube-controller-manager', 12], ['kube-proxy', 1], ['kube-scheduler', 2], ['kubelet', 8]]],
    ['2024-11-1.31.2', [['containerd', 0], ['etcd', 9], ['kube-apiserver', 25], ['kube-controller-manager', 11], ['kube-proxy', 1], ['kube-scheduler', 2], ['kubelet', 4]]],
    ['2025-04-1.32.3', [['containerd', 0], ['etcd', 9], ['kube-apiserver', 23], ['kube-controller-manager', 11], ['kube-proxy', 1], ['kube-scheduler', 2], ['kubelet', 3]]],
  ] as Array<[string, Array<[string, number]>]>)('%s: every component a systemd daemon, flags read', (era, expected) => {
    const r = scan(`${HW}/${era}`);
    expect(r.components.map((c) => [c.name, c.flags.length])).toEqual(expected);
    expect(r.components.every((c) => c.runMode === 'systemd' && c.enabled === false && c.unit === `${c.name}.service`)).toBe(true);
    // the corpus holds unit files only, no wants links: the kubelet is reported
    expect(codes(r)).toEqual(['warning kubelet-not-enabled /etc/systemd/system/kubelet.service']);
  });

  it('keeps the era differences in values', () => {
    const y2017 = scan(`${HW}/2017-12-1.9.0`).components;
    const y2024 = scan(`${HW}/2024-11-1.31.2`).components;
    const api17 = y2017.find((c) => c.name === 'kube-apiserver');
    const api24 = y2024.find((c) => c.name === 'kube-apiserver');
    expect(flag(api17, '--admission-control')).toMatch(/^--admission-control=Initializers,/);
    expect(flag(api17, '--insecure-bind-address')).toBe('--insecure-bind-address=127.0.0.1');
    expect(flag(api24, '--runtime-config')).toBe('--runtime-config=api/all=true');
    expect(flag(api24, '--etcd-servers')).toBe('--etcd-servers=http://127.0.0.1:2379');
    expect(flag(y2017.find((c) => c.name === 'kubelet'), '--cloud-provider')).toBe('--cloud-provider=');
    expect(y2024.find((c) => c.name === 'containerd')?.binary).toBe('/bin/containerd');
  });
});

describe('kubeadm packaging drop-ins', () => {
  const K = 'corpus/kubernetes-release';
  const kubeconfigArgs = ['--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf', '--config=/var/lib/kubelet/config.yaml'];

  it.each([
    ['krel-latest-f618b2a/deb', ['/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '/etc/default/kubelet'], true],
    ['krel-latest-f618b2a/rpm', ['/usr/lib/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '/etc/sysconfig/kubelet'], false],
    ['legacy-af8551a/rpm', ['/usr/lib/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '/etc/sysconfig/kubelet'], false],
    ['legacy-af8551a/deb-post-1.10', ['/etc/systemd/system/kubelet.service.d/10-kubeadm.conf'], true],
  ])('%s: the drop-in resets ExecStart and passes the kubeconfig and config flags', (tree, sources, dropInOnly) => {
    const r = scan(`${K}/${tree}`);
    expect(summary(r.components)).toEqual([['kubelet', 'systemd', 3, false]]);
    expect(r.components[0].binary).toBe('/usr/bin/kubelet');
    expect(r.components[0].flags.map((f) => `${f.name}=${f.value}`)).toEqual(kubeconfigArgs);
    expect(r.components[0].sources).toEqual(sources);
    expect(r.units[0].missing ?? false).toBe(dropInOnly);
    expect(codes(r)).toContain(`info systemd-unset-variable ${sources.find((s) => s.endsWith('10-kubeadm.conf'))}:11`);
  });

  it('legacy deb: the base unit in /lib/systemd/system runs a bare kubelet', () => {
    const r = scan(`${K}/legacy-af8551a/deb`);
    expect(summary(r.components)).toEqual([['kubelet', 'systemd', 0, false]]);
    expect(r.units[0].path).toBe('/lib/systemd/system/kubelet.service');
  });

  it('kubeadm 1.8-1.10 and before 1.8: every flag in Environment= lines', () => {
    const post18 = scan(`${K}/legacy-af8551a/deb-post-1.8`).components[0];
    const pre18 = scan(`${K}/legacy-af8551a/deb-pre-1.8`).components[0];
    expect(post18.flags).toHaveLength(14);
    expect(flag(post18, '--rotate-certificates')).toBe('--rotate-certificates=true');
    expect(post18.flags.find((f) => f.name === '--cadvisor-port')?.source).toBe('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf:7');
    expect(pre18.flags).toHaveLength(12);
    expect(flag(pre18, '--require-kubeconfig')).toBe('--require-kubeconfig=true');
  });

  it('kubeadm-ebenneil-k8 v1.22.17 (apt.kubernetes.io drop-in in /etc)', () => {
    const r = scan('corpus/kubeadm-ebenneil-k8/v1.22.17-b91c3ea');
    expect(summary(r.components)).toEqual([['kubelet', 'systemd', 3, false]]);
    expect(r.units[0].dropIns).toEqual(['/etc/systemd/system/kubelet.service.d/10-kubeadm.conf']);
  });
});

describe('hand-edited kubelet drop-ins', () => {
  it('edgecases-coderdba: repeated [Service] sections; the last Environment= of a variable wins', () => {
    const r = scan('corpus/edgecases-coderdba/2019-f23f563');
    const kubelet = r.components[0];
    expect(summary(r.components)).toEqual([['kubelet', 'systemd', 10, false]]);
    // the "REFERENCE" line at the end of the file is active and replaces KUBELET_SYSTEM_PODS_ARGS
    expect(flag(kubelet, '--pod-infra-container-image')).toBe('--pod-infra-container-image=app/unimatrix-platform/pause-amd64:3.1');
    expect(flag(kubelet, '--eviction-hard')).toBe('--eviction-hard=memory.available<512Mi');
    expect(kubelet.flags.every((f) => f.source === '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:33')).toBe(true);
    // kubeadm-flags.env is read, but nothing in ExecStart uses $KUBELET_KUBEADM_ARGS
    expect(kubelet.sources).toEqual(['/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '/var/lib/kubelet/kubeadm-flags.env']);
    expect(codes(r)).toEqual([
      'warning kubelet-not-enabled /usr/lib/systemd/system/kubelet.service',
      'warning systemd-unit-file-missing /usr/lib/systemd/system/kubelet.service',
    ]);
  });

  it('kubeadm-cy-gu: smart quotes make an Environment= line invalid; flags from kubeadm-flags.env with trailing spaces', () => {
    const r = scan('corpus/kubeadm-cy-gu/v1.17.3-85d5174');
    const kubelet = r.components[0];
    expect(kubelet.flags.map((f) => `${f.name}=${f.value}`)).toEqual([
      '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
      '--kubeconfig=/etc/kubernetes/kubelet.conf',
      '--config=/var/lib/kubelet/config.yaml',
      '--cgroup-driver=cgroupfs',
      '--pod-infra-container-image=k8s.gcr.io/pause:3.1',
      '--resolv-conf=/run/systemd/resolve/resolv.conf',
    ]);
    const D = '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf';
    expect(codes(r)).toEqual([
      'warning kubelet-not-enabled /etc/systemd/system/kubelet.service',
      'warning systemd-unit-file-missing /etc/systemd/system/kubelet.service',
      `info systemd-unset-variable ${D}:11`,
      `warning systemd-invalid-environment ${D}:12`,
      `warning systemd-smart-quotes ${D}:12`,
    ]);
  });

  it('kubeadm-transcript-v1.33.2: "--flag value" in KUBELET_EXTRA_ARGS and a duplicated flag (the later wins)', () => {
    const r = scan('corpus/kubeadm-transcript-v1.33.2/v1.33.2');
    const kubelet = r.components[0];
    expect(kubelet.flags).toHaveLength(9);
    const cre = kubelet.flags.filter((f) => f.name === '--container-runtime-endpoint');
    expect(cre.map((f) => [f.value, f.source, f.overridden ?? false])).toEqual([
      ['unix:///var/run/containerd/containerd.sock', '/var/lib/kubelet/kubeadm-flags.env:1', true],
      ['unix:///run/containerd/containerd.sock', '/etc/default/kubelet:1', false],
    ]);
    expect(flag(kubelet, '--eviction-hard')).toBe('--eviction-hard=imagefs.available<5%,memory.available<100Mi,nodefs.available<5%');
    expect(flag(kubelet, '--fail-swap-on')).toBe('--fail-swap-on=false');
    expect(codes(r)).toEqual([
      'warning flag-repeated /etc/default/kubelet:1',
      'warning kubelet-not-enabled /usr/lib/systemd/system/kubelet.service',
    ]);
  });
});

describe('systemd fixtures', () => {
  it('centos7-kubernetes-master: EnvironmentFile variables split into flags', () => {
    const r = scan('systemd/centos7-kubernetes-master');
    expect(summary(r.components)).toEqual([
      ['etcd', 'systemd', 4, true],
      ['kube-apiserver', 'systemd', 7, true],
      ['kube-controller-manager', 'systemd', 3, true],
      ['kube-proxy', 'systemd', 3, true],
      ['kube-scheduler', 'systemd', 3, true],
      ['kubelet', 'systemd', 7, true],
    ]);
    const api = r.components.find((c) => c.name === 'kube-apiserver');
    expect(api?.sources).toEqual(['/usr/lib/systemd/system/kube-apiserver.service', '/etc/kubernetes/config', '/etc/kubernetes/apiserver']);
    expect(api?.flags.map((f) => `${f.name}=${f.value} @${f.source}`)).toEqual([
      '--logtostderr=true @/etc/kubernetes/config:13',
      '--v=0 @/etc/kubernetes/config:16',
      '--etcd-servers=http://127.0.0.1:2379 @/etc/kubernetes/apiserver:17',
      '--insecure-bind-address=127.0.0.1 @/etc/kubernetes/apiserver:8',
      '--allow-privileged=false @/etc/kubernetes/config:19',
      '--service-cluster-ip-range=10.254.0.0/16 @/etc/kubernetes/apiserver:20',
      '--admission-control=NamespaceLifecycle,NamespaceExists,LimitRanger,SecurityContextDeny,ServiceAccount,ResourceQuota @/etc/kubernetes/apiserver:23',
    ]);
    expect(flag(r.components.find((c) => c.name === 'kube-scheduler'), '--master')).toBe('--master=http://127.0.0.1:8080');
    expect(flag(r.components.find((c) => c.name === 'kubelet'), '--pod-infra-container-image')).toBe(
      '--pod-infra-container-image=registry.access.redhat.com/rhel7/pod-infrastructure:latest',
    );
    const U = '/usr/lib/systemd/system';
    expect(codes(r)).toEqual([
      'warning etcd-environment-shadowed /etc/etcd/etcd.conf:2',
      `info systemd-unset-variable ${U}/kube-apiserver.service:16`,
      `info systemd-unset-variable ${U}/kube-apiserver.service:17`,
      `info systemd-unset-variable ${U}/kubelet.service:16`,
    ]);
  });

  it('centos7-kubernetes-master: etcd started through /bin/bash -c, with ${ETCD_*} from /etc/etcd/etcd.conf', () => {
    const r = scan('systemd/centos7-kubernetes-master');
    const etcd = r.components.find((c) => c.name === 'etcd');
    expect(etcd?.binary).toBe('/usr/bin/etcd');
    expect(etcd?.flags.map((f) => `${f.name}=${f.value}`)).toEqual([
      '--name=default',
      '--data-dir=/var/lib/etcd/default.etcd',
      '--listen-client-urls=http://localhost:2379',
      // not on the command line: etcd reads it from ETCD_ADVERTISE_CLIENT_URLS in its environment
      '--advertise-client-urls=http://localhost:2379',
    ]);
    expect(etcd?.flags[3].source).toBe('/etc/etcd/etcd.conf:20');
    expect(etcd?.sources).toEqual(['/usr/lib/systemd/system/etcd.service', '/etc/etcd/etcd.conf']);
    // the RPM's unit gives three settings both ways: fine for its etcd 3.3, fatal from etcd 3.4 on
    expect(r.findings.filter((f) => f.code === 'etcd-environment-shadowed').map((f) => [f.path, f.line])).toEqual([['/etc/etcd/etcd.conf', 2]]);
  });

  it('worker-kubelet-disabled: containerd enabled, the kubelet not, and a warning says so', () => {
    const r = scan('systemd/worker-kubelet-disabled');
    expect(summary(r.components)).toEqual([
      ['containerd', 'systemd', 0, true],
      ['kubelet', 'systemd', 5, false],
    ]);
    expect(flag(r.components[1], '--container-runtime-endpoint')).toBe('--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock');
    expect(r.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'kubelet-not-enabled',
        path: '/usr/lib/systemd/system/kubelet.service',
        component: 'kubelet',
      }),
    ]);
  });
});
