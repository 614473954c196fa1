import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { flagInfo, isSecurityFlag, securityVerdict as verdict } from '../../src/knowledge/flags.js';
import { get, manifestFlags, unitFlags } from './corpus-flags.js';

const HARD_WAY_2017 = 'kubernetes-the-hard-way/2017-12-1.9.0/etc/systemd/system';
const HARD_WAY_2021 = 'kubernetes-the-hard-way/2021-05-1.21.0/etc/systemd/system';
const HARD_WAY_2024 = 'kubernetes-the-hard-way/2024-11-1.31.2/etc/systemd/system';
const KUBEADM_181 = 'kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4/etc/kubernetes/manifests';
const KUBEADM_129 = 'kubeadm-zetaoss/v1.29.0-31ee222/etc/kubernetes/manifests';

const weak = (severity: string) => expect.objectContaining({ weak: true, severity });
const fine = expect.objectContaining({ weak: false, severity: 'info' });

describe('kube-apiserver', () => {
  const kubeadm181 = manifestFlags(`${KUBEADM_181}/kube-apiserver.yaml`);
  const kubeadm129 = manifestFlags(`${KUBEADM_129}/kube-apiserver.yaml`);
  const hardWay2017 = unitFlags('kube-apiserver', `${HARD_WAY_2017}/kube-apiserver.service`);
  const hardWay2024 = unitFlags('kube-apiserver', `${HARD_WAY_2024}/kube-apiserver.service`);
  const value = (flags: Map<string, string | null>, flag: string) => (flags.has(flag) ? (flags.get(flag) ?? '') : null);

  it('anonymous auth: on by default (warning), off is fine', () => {
    expect(verdict('kube-apiserver', '--anonymous-auth', value(kubeadm129, '--anonymous-auth'))).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--anonymous-auth', 'false')).toEqual(fine);
    expect(verdict('kube-apiserver', '--anonymous-auth', 'true')?.reason).toMatch(/anonymous/);
  });

  it('authorization mode: AlwaysAllow is an error, Node,RBAC (kubeadm, hard way) is fine', () => {
    expect(verdict('kube-apiserver', '--authorization-mode', get(kubeadm181, '--authorization-mode'))).toEqual(fine);
    expect(verdict('kube-apiserver', '--authorization-mode', get(hardWay2024, '--authorization-mode'))).toEqual(fine);
    expect(verdict('kube-apiserver', '--authorization-mode', 'RBAC,AlwaysAllow')).toEqual(weak('error'));
    expect(verdict('kube-apiserver', '--authorization-mode', null)).toEqual(weak('error'));
    expect(verdict('kube-apiserver', '--authorization-mode', 'RBAC')).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--authorization-mode', 'Node,Webhook')).toEqual(weak('info'));
    expect(isSecurityFlag('kube-apiserver', '--authorization-mode')).toBe(true);
  });

  it('insecure port: kubeadm v1.8.1 sets 0 (fine), anything else is an error, absent is not judged', () => {
    expect(verdict('kube-apiserver', '--insecure-port', get(kubeadm181, '--insecure-port'))).toEqual(fine);
    expect(verdict('kube-apiserver', '--insecure-port', '8080')).toEqual(weak('error'));
    expect(verdict('kube-apiserver', '--insecure-port', null)).toEqual(fine);
  });

  it('insecure bind address: the 2017 hard way binds loopback (warning), 0.0.0.0 is an error', () => {
    expect(verdict('kube-apiserver', '--insecure-bind-address', value(hardWay2017, '--insecure-bind-address'))).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--insecure-bind-address', '0.0.0.0')).toEqual(weak('error'));
    expect(verdict('kube-apiserver', '--insecure-bind-address', null)).toEqual(fine);
  });

  it('profiling is on by default (info)', () => {
    expect(verdict('kube-apiserver', '--profiling', value(hardWay2024, '--profiling'))).toEqual(weak('info'));
    expect(verdict('kube-apiserver', '--profiling', 'false')).toEqual(fine);
  });

  it('TLS below 1.2 is a warning', () => {
    expect(verdict('kube-apiserver', '--tls-min-version', 'VersionTLS10')).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--tls-min-version', 'VersionTLS12')).toEqual(fine);
    expect(verdict('kube-apiserver', '--tls-min-version', null)).toEqual(fine);
    expect(isSecurityFlag('kube-apiserver', '--tls-cipher-suites')).toBe(true);
  });

  it('admission: NodeRestriction present in kubeadm and hard-way lists (old and new names), missing is a warning', () => {
    expect(verdict('kube-apiserver', '--admission-control', get(kubeadm181, '--admission-control'))).toEqual(fine);
    expect(verdict('kube-apiserver', '--admission-control', get(hardWay2017, '--admission-control') as string)).toEqual(fine);
    expect(verdict('kube-apiserver', '--enable-admission-plugins', get(kubeadm129, '--enable-admission-plugins'))).toEqual(fine);
    expect(verdict('kube-apiserver', '--enable-admission-plugins', null)).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--enable-admission-plugins', 'NodeRestriction,AlwaysAdmit')?.reason).toMatch(/AlwaysAdmit/);
    expect(verdict('kube-apiserver', '--disable-admission-plugins', 'ServiceAccount')).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--disable-admission-plugins', null)).toEqual(fine);
  });

  it('missing files: kubelet CA (kubeadm sets none), encryption config, audit log', () => {
    expect(kubeadm129.has('--kubelet-certificate-authority')).toBe(false);
    expect(verdict('kube-apiserver', '--kubelet-certificate-authority', null)).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--kubelet-certificate-authority', get(hardWay2024, '--kubelet-certificate-authority') as string)).toEqual(fine);
    expect(verdict('kube-apiserver', '--encryption-provider-config', null)?.reason).toMatch(/unencrypted/);
    expect(verdict('kube-apiserver', '--encryption-provider-config', null)).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--experimental-encryption-provider-config', get(hardWay2017, '--experimental-encryption-provider-config') as string)).toEqual(fine);
    expect(verdict('kube-apiserver', '--audit-log-path', null)).toEqual(weak('info'));
    expect(verdict('kube-apiserver', '--audit-log-path', get(hardWay2024, '--audit-log-path') as string)).toEqual(fine);
    expect(verdict('kube-apiserver', '--audit-log-path', "''")).toEqual(weak('info'));
  });

  it('service account lookup, token file, bootstrap tokens, swagger, kubelet https', () => {
    expect(verdict('kube-apiserver', '--service-account-lookup', 'false')).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--service-account-lookup', null)).toEqual(fine);
    expect(verdict('kube-apiserver', '--token-auth-file', '/etc/kubernetes/tokens.csv')).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--enable-bootstrap-token-auth', get(kubeadm181, '--enable-bootstrap-token-auth'))).toEqual(weak('info'));
    expect(verdict('kube-apiserver', '--enable-swagger-ui', get(hardWay2017, '--enable-swagger-ui') as string)).toEqual(weak('info'));
    expect(verdict('kube-apiserver', '--kubelet-https', get(hardWay2017, '--kubelet-https') as string)).toEqual(fine);
    expect(verdict('kube-apiserver', '--kubelet-https', 'false')).toEqual(weak('error'));
  });

  it('etcd over plain http (kubeadm v1.8.1) is a warning', () => {
    expect(verdict('kube-apiserver', '--etcd-servers', get(kubeadm181, '--etcd-servers'))).toEqual(weak('warning'));
    expect(verdict('kube-apiserver', '--etcd-servers', get(hardWay2017, '--etcd-servers') as string)).toEqual(fine);
  });

  it('cites the benchmark check', () => {
    expect(verdict('kube-apiserver', '--anonymous-auth', 'true')?.basis).toBe('CIS Kubernetes Benchmark (kube-bench cis-1.9 1.2.1)');
    expect(verdict('kube-apiserver', '--etcd-servers', 'http://x')?.basis).toBe('kdiff');
  });
});

describe('etcd', () => {
  const hardWay = unitFlags('etcd', `${HARD_WAY_2017}/etcd.service`);
  const kubeadm181 = manifestFlags(`${KUBEADM_181}/etcd.yaml`);
  const kubeadm129 = manifestFlags(`${KUBEADM_129}/etcd.yaml`);

  it('client cert auth: bare flag (hard way) and =true (kubeadm) are fine, absent (kubeadm v1.8.1) is an error', () => {
    expect(verdict('etcd', '--client-cert-auth', get(hardWay, '--client-cert-auth') ?? '')).toEqual(fine);
    expect(verdict('etcd', '--client-cert-auth', get(kubeadm129, '--client-cert-auth'))).toEqual(fine);
    expect(kubeadm181.has('--client-cert-auth')).toBe(false);
    expect(verdict('etcd', '--client-cert-auth', null)).toEqual(weak('error'));
    expect(verdict('etcd', '--peer-client-cert-auth', 'false')).toEqual(weak('warning'));
  });

  it('auto TLS is a warning', () => {
    expect(verdict('etcd', '--auto-tls', 'true')).toEqual(weak('warning'));
    expect(verdict('etcd', '--peer-auto-tls', '')).toEqual(weak('warning'));
    expect(verdict('etcd', '--auto-tls', null)).toEqual(fine);
  });

  it('plain http listeners: loopback (hard way 2017, kubeadm v1.8.1) warning, elsewhere error, TLS fine', () => {
    expect(verdict('etcd', '--listen-client-urls', get(hardWay, '--listen-client-urls') as string)).toEqual(weak('warning'));
    expect(verdict('etcd', '--listen-client-urls', get(kubeadm181, '--listen-client-urls'))).toEqual(weak('warning'));
    expect(verdict('etcd', '--listen-client-urls', get(kubeadm129, '--listen-client-urls'))).toEqual(fine);
    expect(verdict('etcd', '--listen-client-urls', 'http://0.0.0.0:2379')).toEqual(weak('error'));
    expect(verdict('etcd', '--listen-client-urls', null)).toEqual(weak('warning'));
    expect(verdict('etcd', '--listen-peer-urls', get(hardWay, '--listen-peer-urls') as string)).toEqual(fine);
  });

  it('TLS version in etcd spelling', () => {
    expect(verdict('etcd', '--tls-min-version', 'TLS1.1')).toEqual(weak('warning'));
    expect(verdict('etcd', '--tls-min-version', null)).toEqual(fine);
  });
});

describe('kubelet', () => {
  const hardWay = unitFlags('kubelet', `${HARD_WAY_2017}/kubelet.service`);

  it('the 2017 hard-way kubelet flags are fine: anonymous off, Webhook authorization', () => {
    expect(verdict('kubelet', '--anonymous-auth', get(hardWay, '--anonymous-auth') as string)).toEqual(fine);
    expect(verdict('kubelet', '--authorization-mode', get(hardWay, '--authorization-mode') as string)).toEqual(fine);
    expect(verdict('kubelet', '--client-ca-file', get(hardWay, '--client-ca-file') as string)).toEqual(fine);
  });

  it('flag defaults are weak, config-file defaults are not', () => {
    expect(verdict('kubelet', '--anonymous-auth', null)).toEqual(weak('warning'));
    expect(verdict('kubelet', '--anonymous-auth', null, { viaConfigFile: true })).toEqual(fine);
    expect(verdict('kubelet', '--authorization-mode', null)).toEqual(weak('error'));
    expect(verdict('kubelet', '--authorization-mode', null, { viaConfigFile: true })).toEqual(fine);
    expect(verdict('kubelet', '--read-only-port', null)).toEqual(weak('warning'));
    expect(verdict('kubelet', '--read-only-port', null, { viaConfigFile: true })).toEqual(fine);
    expect(verdict('kubelet', '--read-only-port', '0')).toEqual(fine);
    expect(verdict('kubelet', '--read-only-port', '10255')).toEqual(weak('warning'));
  });

  it('a kubelet config file read through its mirrored flags (hard way 2024)', () => {
    const text = readFileSync(new URL('../../fixtures/corpus/kubernetes-the-hard-way/2024-11-1.31.2/var/lib/kubelet/kubelet-config.yaml', import.meta.url), 'utf8');
    const config = load(text) as { authentication: { anonymous: { enabled: boolean } }; authorization: { mode: string } };
    expect(verdict('kubelet', '--anonymous-auth', String(config.authentication.anonymous.enabled), { viaConfigFile: true })).toEqual(fine);
    expect(verdict('kubelet', '--authorization-mode', config.authorization.mode, { viaConfigFile: true })).toEqual(fine);
  });

  it('kernel defaults, iptables chains, certificate rotation, idle streams, TLS', () => {
    expect(verdict('kubelet', '--protect-kernel-defaults', null)).toEqual(weak('info'));
    expect(verdict('kubelet', '--protect-kernel-defaults', 'true')).toEqual(fine);
    expect(verdict('kubelet', '--make-iptables-util-chains', 'false')).toEqual(weak('info'));
    expect(verdict('kubelet', '--rotate-certificates', 'false')).toEqual(weak('info'));
    expect(verdict('kubelet', '--rotate-certificates', null)).toEqual(fine);
    expect(verdict('kubelet', '--streaming-connection-idle-timeout', '0')).toEqual(weak('info'));
    expect(verdict('kubelet', '--streaming-connection-idle-timeout', null)).toEqual(fine);
    expect(verdict('kubelet', '--tls-min-version', 'VersionTLS11')).toEqual(weak('warning'));
  });
});

describe('controller manager, scheduler, kube-proxy', () => {
  const cm2021 = unitFlags('kube-controller-manager', `${HARD_WAY_2021}/kube-controller-manager.service`);
  const cm129 = manifestFlags(`${KUBEADM_129}/kube-controller-manager.yaml`);
  const sched129 = manifestFlags(`${KUBEADM_129}/kube-scheduler.yaml`);

  it('service account credentials: true in both layouts; false is a warning', () => {
    expect(verdict('kube-controller-manager', '--use-service-account-credentials', get(cm2021, '--use-service-account-credentials') as string)).toEqual(fine);
    expect(verdict('kube-controller-manager', '--use-service-account-credentials', get(cm129, '--use-service-account-credentials'))).toEqual(fine);
    expect(verdict('kube-controller-manager', '--use-service-account-credentials', null)).toEqual(weak('warning'));
  });

  it('bind address: kubeadm binds loopback, the hard way 0.0.0.0 (a warning, as kube-bench fails CIS 1.3.7 / 1.4.2); the old --address counts too', () => {
    expect(verdict('kube-controller-manager', '--bind-address', get(cm129, '--bind-address'))).toEqual(fine);
    expect(verdict('kube-controller-manager', '--bind-address', get(cm2021, '--bind-address') as string)).toEqual(weak('warning'));
    expect(verdict('kube-scheduler', '--bind-address', get(sched129, '--bind-address'))).toEqual(fine);
    expect(verdict('kube-scheduler', '--address', '127.0.0.1')).toEqual(fine);
    expect(verdict('kube-scheduler', '--bind-address', null)).toEqual(weak('warning'));
    expect(verdict('kube-scheduler', '--bind-address', '::1')).toEqual(fine);
  });

  it('profiling on by default (info)', () => {
    expect(verdict('kube-controller-manager', '--profiling', null)).toEqual(weak('info'));
    expect(verdict('kube-scheduler', '--profiling', 'false')).toEqual(fine);
  });

  it('kube-proxy metrics beyond loopback (info)', () => {
    expect(verdict('kube-proxy', '--metrics-bind-address', '0.0.0.0:10249')).toEqual(weak('info'));
    expect(verdict('kube-proxy', '--metrics-bind-address', ':10249')).toEqual(weak('info'));
    expect(verdict('kube-proxy', '--metrics-bind-address', null)).toEqual(fine);
  });

  it('flags with no security meaning have no verdict', () => {
    expect(verdict('kube-proxy', '--cluster-cidr', '10.200.0.0/16')).toBeUndefined();
    expect(verdict('kube-apiserver', '--event-ttl', '1h')).toBeUndefined();
    expect(verdict('kube-apiserver', '--no-such-flag', 'x')).toBeUndefined();
    expect(isSecurityFlag('kube-apiserver', '--event-ttl')).toBe(false);
  });
});

describe('the security table', () => {
  it('names known flags, says one sentence per rule, and cites a check', () => {
    const table = load(readFileSync(new URL('../../data/reference/curated/security.yaml', import.meta.url), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    let rules = 0;
    for (const [component, flags] of Object.entries(table)) {
      for (const [flag, entry] of Object.entries(flags)) {
        if (flag === 'relevant') continue;
        const e = entry as { about: string; cis: string; weak: Array<{ severity: string; reason: string }> };
        expect(flagInfo(component, flag)?.name).toBe(flag);
        expect(e.about).toMatch(/^[A-Za-z].*\.$/);
        expect(e.cis).toMatch(/^(cis-1\.[69] [\d.]+|kdiff)/);
        for (const w of e.weak) {
          rules++;
          expect(['error', 'warning', 'info']).toContain(w.severity);
          expect(w.reason).toMatch(/^[A-Za-z].*\.$/);
          expect(w.reason.split('. ').length).toBe(1);
        }
      }
    }
    expect(rules).toBeGreaterThan(45);
  });
});
