import fc from 'fast-check';
import { normalizeFlagValue as norm } from '../../src/knowledge/flags.js';
import { canonicalCIDR, canonicalIP, formatSeconds, normalizeQuantity, parseDuration } from '../../src/knowledge/normalize.js';
import { get, manifestFlags, unitFlags } from './corpus-flags.js';

const HARD_WAY_2017 = 'kubernetes-the-hard-way/2017-12-1.9.0/etc/systemd/system';
const HARD_WAY_2024 = 'kubernetes-the-hard-way/2024-11-1.31.2/etc/systemd/system';
const KUBEADM_181 = 'kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4/etc/kubernetes/manifests';

describe('booleans', () => {
  it.each(['', 'true', 'True', 'TRUE', '1', 't', 'T', '"true"'])('%j is true', (v) => {
    expect(norm('etcd', '--client-cert-auth', v)).toBe('true');
  });
  it.each(['false', 'False', '0', 'f', "'false'"])('%j is false', (v) => {
    expect(norm('kube-apiserver', '--anonymous-auth', v)).toBe('false');
  });
  it('keeps what Go would not parse', () => {
    expect(norm('kube-apiserver', '--anonymous-auth', 'yes')).toBe('yes');
  });
  it('reads a bare etcd flag and kubeadm`s `=true` alike (hard way 2017 vs kubeadm v1.8.1 apiserver)', () => {
    const etcd = unitFlags('etcd', `${HARD_WAY_2017}/etcd.service`);
    expect(norm('etcd', '--client-cert-auth', get(etcd, '--client-cert-auth') ?? '')).toBe('true');
    const apiserver = manifestFlags(`${KUBEADM_181}/kube-apiserver.yaml`);
    expect(norm('kube-apiserver', '--enable-bootstrap-token-auth', get(apiserver, '--enable-bootstrap-token-auth'))).toBe('true');
  });
});

describe('durations', () => {
  it('1h = 60m = 3600s = 1h0m0s (--event-ttl of the hard-way apiserver)', () => {
    const flags = unitFlags('kube-apiserver', `${HARD_WAY_2024}/kube-apiserver.service`);
    const written = get(flags, '--event-ttl');
    expect(written).toBe('1h');
    for (const v of [written ?? '', '60m', '3600s', '1h0m0s', '"1h"']) expect(norm('kube-apiserver', '--event-ttl', v)).toBe('3600s');
  });
  it('handles fractions, small units, zero and junk', () => {
    expect(norm('kubelet', '--runtime-request-timeout', '15m')).toBe('900s');
    expect(norm('kubelet', '--cpu-cfs-quota-period', '100ms')).toBe('0.1s');
    expect(norm('kubelet', '--cpu-cfs-quota-period', '1.5s')).toBe('1.5s');
    expect(norm('kubelet', '--streaming-connection-idle-timeout', '0')).toBe('0s');
    expect(norm('kubelet', '--streaming-connection-idle-timeout', '4h0m0s')).toBe('14400s');
    expect(norm('kube-controller-manager', '--cluster-signing-duration', '8760h')).toBe('31536000s');
    expect(norm('kubelet', '--sync-frequency', '30')).toBe('30');
    expect(norm('kubelet', '--sync-frequency', 'soon')).toBe('soon');
  });
  it('formats what it parses (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), (ns) => {
        expect(parseDuration(formatSeconds(ns))).toBe(ns);
      }),
    );
  });
});

describe('sets, lists and URL lists', () => {
  it('compares admission plugins as sets: the 2017 hard-way list and a reordered one are equal', () => {
    const flags = unitFlags('kube-apiserver', `${HARD_WAY_2017}/kube-apiserver.service`);
    const written = get(flags, '--admission-control') as string;
    const reordered = written.split(',').reverse().join(',');
    expect(norm('kube-apiserver', '--admission-control', written)).toEqual(norm('kube-apiserver', '--enable-admission-plugins', `${reordered},NodeRestriction`));
    expect(norm('kube-apiserver', '--admission-control', written)).toEqual([
      'DefaultStorageClass',
      'Initializers',
      'LimitRanger',
      'NamespaceLifecycle',
      'NodeRestriction',
      'ResourceQuota',
      'ServiceAccount',
    ]);
  });
  it('keeps --authorization-mode in order', () => {
    const flags = manifestFlags(`${KUBEADM_181}/kube-apiserver.yaml`);
    expect(norm('kube-apiserver', '--authorization-mode', get(flags, '--authorization-mode'))).toEqual(['Node', 'RBAC']);
    expect(norm('kube-apiserver', '--authorization-mode', 'RBAC,Node')).toEqual(['RBAC', 'Node']);
  });
  it('sorts --etcd-servers and canonicalizes each URL (hard way 2017)', () => {
    const flags = unitFlags('kube-apiserver', `${HARD_WAY_2017}/kube-apiserver.service`);
    const written = get(flags, '--etcd-servers') as string;
    const expected = ['https://10.240.0.10:2379', 'https://10.240.0.11:2379', 'https://10.240.0.12:2379'];
    expect(norm('kube-apiserver', '--etcd-servers', written)).toEqual(expected);
    expect(norm('kube-apiserver', '--etcd-servers', 'HTTPS://10.240.0.12:2379/,https://10.240.0.11:2379,https://10.240.0.10:2379')).toEqual(expected);
  });
  it('reads etcd listen URLs as a set (hard way 2017: TLS outside, plain http on loopback)', () => {
    const flags = unitFlags('etcd', `${HARD_WAY_2017}/etcd.service`);
    expect(norm('etcd', '--listen-client-urls', get(flags, '--listen-client-urls') as string)).toEqual(['http://127.0.0.1:2379', 'https://10.240.0.10:2379']);
    expect(norm('etcd', '--listen-client-urls', 'http://[2001:DB8:0:0::1]:2379')).toEqual(['http://[2001:db8::1]:2379']);
  });
  it('dedupes sets, keeps lists, drops empties and quotes', () => {
    expect(norm('kube-apiserver', '--tls-cipher-suites', "'B,A,,B'")).toEqual(['A', 'B']);
    expect(norm('kubelet', '--cluster-dns', '10.32.0.10,10.32.0.11')).toEqual(['10.32.0.10', '10.32.0.11']);
    expect(norm('kubelet', '--enforce-node-allocatable', "''")).toEqual([]);
    expect(norm('kube-proxy', '--nodeport-addresses', '10.0.0.5/8,127.0.0.0/8')).toEqual(['10.0.0.0/8', '127.0.0.0/8']);
  });
});

describe('maps', () => {
  it('runtime-config: `api/all` (2017) = `\'api/all=true\'` (2024)', () => {
    const old = unitFlags('kube-apiserver', `${HARD_WAY_2017}/kube-apiserver.service`);
    const now = unitFlags('kube-apiserver', `${HARD_WAY_2024}/kube-apiserver.service`);
    expect(get(old, '--runtime-config')).toBe('api/all');
    expect(get(now, '--runtime-config')).toBe("'api/all=true'");
    expect(norm('kube-apiserver', '--runtime-config', get(old, '--runtime-config') as string)).toEqual({ 'api/all': 'true' });
    expect(norm('kube-apiserver', '--runtime-config', get(now, '--runtime-config') as string)).toEqual({ 'api/all': 'true' });
  });
  it('feature gates as sorted booleans', () => {
    expect(norm('kubelet', '--feature-gates', 'b=True,a=false')).toEqual({ a: 'false', b: 'true' });
    expect(Object.keys(norm('kubelet', '--feature-gates', 'Zeta=true,Alpha=1') as object)).toEqual(['Alpha', 'Zeta']);
  });
  it('kubelet reservations and eviction thresholds compare by quantity', () => {
    expect(norm('kubelet', '--kube-reserved', 'memory=1Gi,cpu=100m')).toEqual(norm('kubelet', '--kube-reserved', 'cpu=0.1,memory=1024Mi'));
    expect(norm('kubelet', '--eviction-hard', 'memory.available<100Mi,nodefs.available<10%')).toEqual({
      'memory.available': '104857600',
      'nodefs.available': '10%',
    });
    expect(norm('kubelet', '--eviction-soft-grace-period', 'memory.available=1m30s')).toEqual({ 'memory.available': '90s' });
    expect(norm('kubelet', '--node-labels', 'role=worker,zone=a')).toEqual({ role: 'worker', zone: 'a' });
    expect(norm('kubelet', '--node-labels', 'a=1,a=2')).toEqual({ a: '2' });
  });
  it('colon-separated multimaps collect repeated keys', () => {
    expect(norm('kubelet', '--manifest-url-header', 'a:hello,b:again,a:world')).toEqual({ a: 'hello,world', b: 'again' });
  });
});

describe('addresses, ports, numbers, paths', () => {
  it('CIDRs: the hard-way service range, IPv6 compressed, host bits cleared, dual-stack order kept', () => {
    const flags = unitFlags('kube-apiserver', `${HARD_WAY_2024}/kube-apiserver.service`);
    expect(norm('kube-apiserver', '--service-cluster-ip-range', get(flags, '--service-cluster-ip-range') as string)).toBe('10.32.0.0/24');
    expect(norm('kube-controller-manager', '--cluster-cidr', 'FD00:10:244:0:0:0:0:0/56')).toBe('fd00:10:244::/56');
    expect(norm('kube-apiserver', '--service-cluster-ip-range', '10.96.0.1/12')).toBe('10.96.0.0/12');
    expect(norm('kube-apiserver', '--service-cluster-ip-range', '10.96.0.0/12, fd00::/108')).toBe('10.96.0.0/12,fd00::/108');
    expect(canonicalCIDR('2001:db8::/129')).toBeUndefined();
    expect(norm('kubelet', '--pod-cidr', 'SUBNET')).toBe('SUBNET');
  });
  it('IPs', () => {
    expect(canonicalIP('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIP('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(canonicalIP('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1');
    expect(canonicalIP('[::1]')).toBe('::1');
    expect(canonicalIP('256.1.1.1')).toBeUndefined();
    expect(norm('kube-apiserver', '--advertise-address', '<api_ip>')).toBe('<api_ip>');
  });
  it('ports and ints as numbers (kubeadm v1.8.1 --insecure-port=0, --secure-port=6443)', () => {
    const flags = manifestFlags(`${KUBEADM_181}/kube-apiserver.yaml`);
    expect(norm('kube-apiserver', '--insecure-port', get(flags, '--insecure-port'))).toBe('0');
    expect(norm('kube-apiserver', '--secure-port', get(flags, '--secure-port'))).toBe('6443');
    expect(norm('kube-apiserver', '--secure-port', '"06443"')).toBe('3363'); // Go base-0: a leading 0 is octal
    expect(norm('kube-apiserver', '--secure-port', '0x1923')).toBe('6435');
    expect(norm('kube-apiserver', '--audit-log-maxage', '+30')).toBe('30');
    expect(norm('kube-controller-manager', '--horizontal-pod-autoscaler-tolerance', '0.10')).toBe('0.1');
  });
  it('paths lose doubled and trailing slashes, nothing else', () => {
    expect(norm('kube-apiserver', '--tls-cert-file', '/etc/kubernetes//pki/./apiserver.crt')).toBe('/etc/kubernetes/pki/apiserver.crt');
    expect(norm('kubelet', '--pod-manifest-path', '/etc/kubernetes/manifests/')).toBe('/etc/kubernetes/manifests');
  });
  it('quantities', () => {
    expect(normalizeQuantity('1Gi')).toBe('1073741824');
    expect(normalizeQuantity('1.5Gi')).toBe('1610612736');
    expect(normalizeQuantity('1e3')).toBe('1000');
    expect(normalizeQuantity('1k')).toBe('1000');
    expect(normalizeQuantity('250m')).toBe('250m');
    expect(normalizeQuantity('10%')).toBe('10%');
    expect(norm('kubelet', '--container-log-max-size', '10Mi')).toBe(norm('kubelet', '--container-log-max-size', '10240Ki'));
  });
  it('strings lose quotes only; unknown flags are strings', () => {
    expect(norm('kube-apiserver', '--etcd-prefix', ' "/registry" ')).toBe('/registry');
    expect(norm('kube-apiserver', '--no-such-flag', "'x'")).toBe('x');
    expect(norm('kube-apiserver', '--enable-admission-plugins', 'NodeRestriction')).toEqual(['NodeRestriction']);
  });
});
