import fc from 'fast-check';
import { scanSystemd } from '../../../src/scan/systemd/index.js';
import { identifyCommand, componentFromCommand, CORE_COMPONENTS } from '../../../src/knowledge/components.js';
import { memTree } from './helpers.js';

const E = '/etc/systemd/system';
const L = '/usr/lib/systemd/system';
const KUBELET = '[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\n[Install]\nWantedBy=multi-user.target\n';

function flagsOf(scan: ReturnType<typeof scanSystemd>, component: string): string[] {
  const c = scan.components.find((x) => x.name === component);
  return (c?.flags ?? []).map((f) => `${f.name}=${f.value}${f.overridden ? ' (overridden)' : ''}`);
}

describe('unit search path and drop-ins', () => {
  it('takes the unit from the first directory holding it', () => {
    const tree = memTree({
      [`${L}/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet --from=usr-lib\n',
      [`/lib/systemd/system/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet --from=lib\n',
      [`${E}/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet --from=etc\n',
    });
    const r = scanSystemd(tree);
    expect(r.units.map((u) => u.path)).toEqual([`${E}/kubelet.service`]);
    expect(flagsOf(r, 'kubelet')).toEqual(['--from=etc']);
  });

  it('applies drop-ins from all directories in file-name order; a same-named one higher up masks the lower', () => {
    const tree = memTree({
      [`${L}/kubelet.service`]: KUBELET,
      [`${L}/kubelet.service.d/10-kubeadm.conf`]: '[Service]\nEnvironment="A=--from-lib-10"\nExecStart=\nExecStart=/usr/bin/kubelet $A $B $C\n',
      [`${L}/kubelet.service.d/30-c.conf`]: '[Service]\nEnvironment=C=--c-lib\n',
      [`${E}/kubelet.service.d/20-b.conf`]: '[Service]\nEnvironment=B=--b-etc\n',
      [`${E}/kubelet.service.d/30-c.conf`]: '[Service]\nEnvironment=C=--c-etc\n',
      [`${E}/kubelet.service.d/README`]: 'not a drop-in',
    });
    const r = scanSystemd(tree);
    expect(r.units[0].dropIns).toEqual([
      `${L}/kubelet.service.d/10-kubeadm.conf`,
      `${E}/kubelet.service.d/20-b.conf`,
      `${E}/kubelet.service.d/30-c.conf`,
    ]);
    expect(flagsOf(r, 'kubelet')).toEqual(['--from-lib-10=true', '--b-etc=true', '--c-etc=true']);
  });

  it('appends ExecStart= without a reset and reports that systemd refuses it', () => {
    const tree = memTree({
      [`${L}/kubelet.service`]: KUBELET,
      [`${L}/kubelet.service.d/10-kubeadm.conf`]: '[Service]\nExecStart=/usr/bin/kubelet --x=1\n',
    });
    const r = scanSystemd(tree);
    expect(flagsOf(r, 'kubelet')).toEqual(['--x=1']);
    expect(r.findings.find((f) => f.code === 'systemd-multiple-exec-start')).toMatchObject({
      severity: 'error',
      path: `${L}/kubelet.service.d/10-kubeadm.conf`,
      line: 2,
      component: 'kubelet',
    });
  });

  it('lets EnvironmentFile= override Environment=, later files override earlier; an empty Environment= resets', () => {
    const tree = memTree({
      [`${E}/k.service`]:
        '[Service]\nEnvironment=X=--x=unit Y=--y=unit\nEnvironment=\nEnvironment=Z=--z=unit W=--w=unit\n' +
        'EnvironmentFile=/etc/k/one\nEnvironmentFile=-/etc/k/absent\nEnvironmentFile=-/etc/k/two\n' +
        'ExecStart=/usr/local/bin/kube-proxy $X $Y $Z $W\n',
      '/etc/k/one': 'Z=--z=one\nW=--w=one\n',
      '/etc/k/two': 'W=--w=two\n',
    });
    const r = scanSystemd(tree);
    expect(flagsOf(r, 'kube-proxy')).toEqual(['--z=one', '--w=two']);
    expect(r.components[0].flags.map((f) => f.source)).toEqual(['/etc/k/one:1', '/etc/k/two:1']);
    expect(r.units[0].environmentFiles).toEqual(['/etc/k/one', '/etc/k/two']);
    expect(r.components[0].sources).toEqual([`${E}/k.service`, '/etc/k/one', '/etc/k/two']);
    expect(r.findings.filter((f) => f.code === 'systemd-unset-variable').map((f) => f.message)).toEqual([
      expect.stringContaining('$X'),
      expect.stringContaining('$Y'),
    ]);
  });

  it('reports a missing EnvironmentFile without "-" (systemd will not start the unit)', () => {
    const tree = memTree({ [`${E}/k.service`]: '[Service]\nEnvironmentFile=/etc/k/absent\nExecStart=/usr/bin/kube-proxy\n' });
    const r = scanSystemd(tree);
    expect(r.findings).toContainEqual(
      expect.objectContaining({ code: 'systemd-environment-file-missing', severity: 'error', path: `${E}/k.service`, line: 2 }),
    );
    expect(r.components.map((c) => c.name)).toEqual(['kube-proxy']);
  });
});

describe('enabled, masked, kubelet-not-enabled', () => {
  it('is enabled by a wants or requires link (absolute, as systemctl makes it)', () => {
    const tree = memTree({
      [`${L}/kubelet.service`]: KUBELET,
      [`${L}/containerd.service`]: '[Service]\nExecStart=/usr/bin/containerd\n',
      [`${E}/multi-user.target.wants/kubelet.service`]: { link: `${L}/kubelet.service` },
      [`${E}/kubelet.service.requires/x`]: 'ignored',
      [`${E}/default.target.requires/containerd.service`]: { link: `${L}/containerd.service` },
    });
    const r = scanSystemd(tree);
    expect(r.units.map((u) => [u.name, u.enabled, u.wantedBy])).toEqual([
      ['containerd.service', true, ['default.target']],
      ['kubelet.service', true, ['multi-user.target']],
    ]);
    expect(r.findings).toEqual([]);
  });

  it('warns when the kubelet is not enabled', () => {
    const r = scanSystemd(memTree({ [`${L}/kubelet.service`]: KUBELET }));
    expect(r.components[0]).toMatchObject({ name: 'kubelet', enabled: false, masked: false });
    expect(r.findings).toEqual([
      expect.objectContaining({ code: 'kubelet-not-enabled', severity: 'warning', path: `${L}/kubelet.service`, component: 'kubelet' }),
    ]);
    expect(r.findings[0].message).toContain('will not (re)join its cluster after a reboot');
  });

  it.each([
    ['a link to /dev/null', { link: '/dev/null' }],
    ['an empty file', ''],
  ])('treats %s in /etc as a mask, even with a wants link', (_label, mask) => {
    const tree = memTree({
      [`${L}/kubelet.service`]: KUBELET,
      [`${E}/kubelet.service`]: mask,
      [`${E}/multi-user.target.wants/kubelet.service`]: { link: `${L}/kubelet.service` },
    });
    const r = scanSystemd(tree);
    expect(r.units[0]).toMatchObject({ masked: true, enabled: false, maskedBy: `${E}/kubelet.service` });
    expect(r.components[0]).toMatchObject({ name: 'kubelet', masked: true, enabled: false, sources: [`${L}/kubelet.service`] });
    expect(r.findings.find((f) => f.code === 'kubelet-not-enabled')?.message).toContain('masked');
  });
});

describe('components from ExecStart', () => {
  it.each([
    ['/usr/local/bin/kube-apiserver --a=1', 'kube-apiserver', []],
    ['/opt/k8s/bin/kube-apiserver', 'kube-apiserver', []],
    ['/usr/bin/hyperkube apiserver --a=1', 'kube-apiserver', ['apiserver']],
    ['/usr/bin/hyperkube kube-controller-manager', 'kube-controller-manager', ['kube-controller-manager']],
    ['/usr/bin/hyperkube proxy', 'kube-proxy', ['proxy']],
    ['/usr/bin/dockerd -H fd://', 'dockerd', []],
    ['/usr/bin/docker daemon -H fd://', 'dockerd', ['daemon']],
    ['/usr/bin/crio', 'crio', []],
    ['/usr/local/bin/flanneld --ip-masq', 'flanneld', []],
    ['/usr/bin/env GOGC=50 /usr/local/bin/etcd --name=a', 'etcd', []],
  ])('%s runs %s', (exec, name, args) => {
    const r = scanSystemd(memTree({ [`${E}/x.service`]: `[Service]\nExecStart=${exec}\n` }));
    expect(r.components.map((c) => c.name)).toEqual([name]);
    expect(r.components[0].args ?? []).toEqual(args);
  });

  it('keeps units that run no known component as facts only, without findings', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/sshd.service`]: '[Service]\nEnvironmentFile=-/etc/sysconfig/sshd\nExecStart=/usr/sbin/sshd -D $OPTIONS\n',
        '/etc/sysconfig/sshd': 'garbage\n',
        [`${L}/broken.service`]: '[Service\n',
      }),
    );
    expect(r.components).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.units.map((u) => u.name)).toEqual(['broken.service', 'sshd.service']);
    expect(r.units[1]).toMatchObject({ execStart: [{ text: '/usr/sbin/sshd' }, { text: '-D' }], environmentFiles: ['/etc/sysconfig/sshd'] });
  });

  it('passes the component to the boolean-flag predicate', () => {
    const seen: string[] = [];
    const r = scanSystemd(memTree({ [`${E}/etcd.service`]: '[Service]\nExecStart=/usr/local/bin/etcd --client-cert-auth x\n' }), {
      isBooleanFlag: (component, flag) => {
        seen.push(`${component} ${flag}`);
        return flag === '--client-cert-auth';
      },
    });
    expect(seen).toEqual(['etcd --client-cert-auth']);
    expect(r.components[0].args).toEqual(['x']);
  });

  it('knows the component table', () => {
    expect(componentFromCommand('/usr/bin/kubelet')).toBe('kubelet');
    expect(componentFromCommand('hyperkube', ['scheduler'])).toBe('kube-scheduler');
    expect(componentFromCommand('hyperkube', ['kubectl'])).toBeNull();
    expect(componentFromCommand('/usr/bin/docker', ['ps'])).toBeNull();
    expect(identifyCommand('/usr/bin/hyperkube', ['--make-symlinks'])).toBeNull();
    expect(CORE_COMPONENTS).toContain('etcd');
  });
});

describe('bad input is a finding, never a throw', () => {
  it('scans the rest of the node when one unit is garbage', () => {
    const tree = memTree({
      [`${E}/kubelet.service`]: '\u0000\u0001\u0002binary',
      [`${E}/kube-scheduler.service`]: '[Service\nExecStart=/usr/local/bin/kube-scheduler "--unbalanced\n',
      [`${E}/kube-proxy.service`]: '[Service]\nExecStart=/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/kube-proxy-config.yaml\n',
    });
    const r = scanSystemd(tree);
    expect(r.components.map((c) => c.name)).toEqual(['kube-proxy']);
    expect(r.findings.map((f) => [f.code, f.path, f.line ?? null])).toEqual([
      ['systemd-syntax', `${E}/kube-scheduler.service`, 1],
      ['kubelet-not-enabled', `${E}/kubelet.service`, null],
    ]);
    // The binary unit is refused by the FileTree itself (one finding for the whole node).
    expect(tree.findings().map((f) => [f.code, f.path])).toEqual([['binary-file', `${E}/kubelet.service`]]);
  });

  it('never throws and is deterministic on arbitrary unit, drop-in and environment files', () => {
    const piece = fc.constantFrom(
      '[Service]\n', 'ExecStart=', 'ExecStart=/usr/bin/kubelet ', 'Environment=', 'EnvironmentFile=', '-/etc/e', '/etc/e',
      '$A ', '${A}', '"', "'", '\\', '\\\\', '\n', 'A=', '--x=1 ', '@', ':', ';', '%', '“', 'hyperkube ', 'bash -c "',
    );
    const text = fc.oneof(fc.string(), fc.array(piece, { maxLength: 30 }).map((a) => a.join('')));
    fc.assert(
      fc.property(text, text, text, (unit, dropIn, env) => {
        const files = {
          [`${L}/kubelet.service`]: unit,
          [`${E}/kubelet.service.d/10.conf`]: dropIn,
          '/etc/e': env,
        };
        expect(scanSystemd(memTree(files))).toEqual(scanSystemd(memTree(files)));
      }),
      { numRuns: 300 },
    );
  });

  it('returns nothing for an empty tree', () => {
    expect(scanSystemd(memTree({}))).toEqual({ units: [], components: [], findings: [] });
  });
});
