/**
 * Template units and their instances, dash-prefix and top-level (service.d/) drop-ins, specifiers:
 * systemd.unit(5) "Description" and "Specifiers", unit_file_find_dropin_paths() in src/shared/dropin.c.
 */
import fc from 'fast-check';
import { scanSystemd } from '../../../src/scan/systemd/index.js';
import { expandSpecifiers, unescapeUnitName } from '../../../src/scan/systemd/specifiers.js';
import { openDirectory } from '../../../src/source/open.js';
import { memTree } from './helpers.js';

const E = '/etc/systemd/system';
const L = '/usr/lib/systemd/system';
const WANTS = `${E}/multi-user.target.wants`;
const TEMPLATE = '[Unit]\nDescription=kubelet on %i\n[Service]\nExecStart=/usr/bin/kubelet --hostname-override=%i --unit=%n\n[Install]\nWantedBy=multi-user.target\n';

type Scan = ReturnType<typeof scanSystemd>;

function flagsOf(r: Scan, unit: string): string[] {
  const c = r.components.find((x) => x.unit === unit);
  return (c?.flags ?? []).map((f) => `${f.name}=${f.value}`);
}

function codes(r: Scan): string[] {
  return r.findings.map((f) => `${f.severity} ${f.code} ${f.path}${f.line ? ':' + f.line : ''}`);
}

describe('template units and their instances', () => {
  it('finds an instance enabled by a wants link to its template, with %i and %n expanded', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]: TEMPLATE,
        [`${WANTS}/kubelet@node1.service`]: { link: '../kubelet@.service' },
      }),
    );
    expect(r.units.map((u) => [u.name, u.path, u.enabled, u.wantedBy])).toEqual([
      ['kubelet@node1.service', `${L}/kubelet@.service`, true, ['multi-user.target']],
    ]);
    expect(r.components).toHaveLength(1);
    expect(r.components[0]).toMatchObject({ name: 'kubelet', unit: 'kubelet@node1.service', enabled: true, masked: false, sources: [`${L}/kubelet@.service`] });
    expect(flagsOf(r, 'kubelet@node1.service')).toEqual(['--hostname-override=node1', '--unit=kubelet@node1.service']);
    expect(r.components[0].flags[0].source).toBe(`${L}/kubelet@.service:4`);
    expect(r.findings).toEqual([]);
  });

  it('scans each enabled instance of one template as its own unit', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/etcd@.service`]: '[Service]\nExecStart=/usr/local/bin/etcd --name=%i --data-dir=/var/lib/etcd/%i\n',
        [`${WANTS}/etcd@a.service`]: { link: `${L}/etcd@.service` },
        [`${E}/etcd.target.wants/etcd@b.service`]: { link: `${L}/etcd@.service` },
      }),
    );
    expect(r.components.map((c) => [c.name, c.unit, c.enabled])).toEqual([
      ['etcd', 'etcd@a.service', true],
      ['etcd', 'etcd@b.service', true],
    ]);
    expect(flagsOf(r, 'etcd@b.service')).toEqual(['--name=b', '--data-dir=/var/lib/etcd/b']);
    expect(r.units.find((u) => u.name === 'etcd@b.service')?.wantedBy).toEqual(['etcd.target']);
  });

  it('loads an instance from its own file when there is one, from the template otherwise', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]: TEMPLATE,
        [`${E}/kubelet@special.service`]: '[Service]\nExecStart=/usr/bin/kubelet --own-file=%i\n',
        [`${WANTS}/kubelet@special.service`]: { link: `${L}/kubelet@.service` },
        [`${WANTS}/kubelet@plain.service`]: { link: `${L}/kubelet@.service` },
      }),
    );
    expect(r.units.map((u) => [u.name, u.path])).toEqual([
      ['kubelet@plain.service', `${L}/kubelet@.service`],
      ['kubelet@special.service', `${E}/kubelet@special.service`],
    ]);
    expect(flagsOf(r, 'kubelet@special.service')).toEqual(['--own-file=special']);
    expect(flagsOf(r, 'kubelet@plain.service')).toEqual(['--hostname-override=plain', '--unit=kubelet@plain.service']);
  });

  it('applies the instance drop-ins and the template drop-ins; a same-named instance one replaces the template one', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]: '[Service]\nExecStart=/usr/bin/kubelet $A $B $C\n',
        [`${L}/kubelet@.service.d/10-a.conf`]: '[Service]\nEnvironment=A=--a=template\n',
        [`${L}/kubelet@.service.d/20-b.conf`]: '[Service]\nEnvironment=B=--b=template\n',
        [`${E}/kubelet@n1.service.d/20-b.conf`]: '[Service]\nEnvironment=B=--b=%i\n',
        [`${E}/kubelet@n1.service.d/30-c.conf`]: '[Service]\nEnvironment=C=--c=instance\n',
        [`${E}/kubelet@n2.service.d/30-c.conf`]: '[Service]\nEnvironment=C=--c=other\n',
        [`${WANTS}/kubelet@n1.service`]: { link: `${L}/kubelet@.service` },
      }),
    );
    expect(r.units.find((u) => u.name === 'kubelet@n1.service')?.dropIns).toEqual([
      `${L}/kubelet@.service.d/10-a.conf`,
      `${E}/kubelet@n1.service.d/20-b.conf`,
      `${E}/kubelet@n1.service.d/30-c.conf`,
    ]);
    expect(flagsOf(r, 'kubelet@n1.service')).toEqual(['--a=template', '--b=n1', '--c=instance']);
    // kubelet@n2 has a drop-in directory of its own, so it is an instance too: configured, not enabled
    expect(flagsOf(r, 'kubelet@n2.service')).toEqual(['--a=template', '--b=template', '--c=other']);
    expect(codes(r)).toEqual([`warning kubelet-not-enabled ${L}/kubelet@.service`]);
    expect(r.findings[0].message).toContain('kubelet@n2.service is not enabled');
  });

  it('expands %i in Environment= and EnvironmentFile=', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kube-proxy@.service`]:
          '[Service]\nEnvironment="NODE=--hostname-override=%i" LITERAL=100%%\nEnvironmentFile=/etc/kubernetes/proxy-%i.env\n' +
          'ExecStart=/usr/local/bin/kube-proxy $NODE $OPTS --x=${LITERAL}\n',
        '/etc/kubernetes/proxy-w1.env': 'OPTS=--cluster-cidr=10.200.0.0/16\n',
        [`${WANTS}/kube-proxy@w1.service`]: { link: `${L}/kube-proxy@.service` },
      }),
    );
    expect(flagsOf(r, 'kube-proxy@w1.service')).toEqual(['--hostname-override=w1', '--cluster-cidr=10.200.0.0/16', '--x=100%']);
    expect(r.units[0].environmentFiles).toEqual(['/etc/kubernetes/proxy-w1.env']);
    expect(r.findings).toEqual([]);
  });

  it('masks one instance with a link to /dev/null under its name, and every instance with a masked template', () => {
    const one = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]: TEMPLATE,
        [`${E}/kubelet@node1.service`]: { link: '/dev/null' },
        [`${WANTS}/kubelet@node1.service`]: { link: `${L}/kubelet@.service` },
        [`${WANTS}/kubelet@node2.service`]: { link: `${L}/kubelet@.service` },
      }),
    );
    expect(one.components.map((c) => [c.unit, c.masked, c.enabled])).toEqual([
      ['kubelet@node1.service', true, false],
      ['kubelet@node2.service', false, true],
    ]);
    expect(one.units[0]).toMatchObject({ maskedBy: `${E}/kubelet@node1.service`, path: `${E}/kubelet@node1.service` });
    expect(codes(one)).toEqual([`warning kubelet-not-enabled ${E}/kubelet@node1.service`]);
    expect(one.findings[0].message).toContain('masked');

    const all = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]: TEMPLATE,
        [`${E}/kubelet@.service`]: '',
        [`${WANTS}/kubelet@node1.service`]: { link: `${L}/kubelet@.service` },
      }),
    );
    expect(all.components.map((c) => [c.unit, c.masked, c.enabled, c.sources])).toEqual([['kubelet@node1.service', true, false, [`${L}/kubelet@.service`]]]);
  });

  it('ignores a template no instance uses, with an info finding for a component', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]: TEMPLATE,
        [`${L}/getty@.service`]: '[Service]\nExecStart=-/sbin/agetty %I\n',
        [`${L}/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet\n',
        [`${WANTS}/kubelet.service`]: { link: `${L}/kubelet.service` },
      }),
    );
    expect(r.units.map((u) => u.name)).toEqual(['kubelet.service']);
    expect(r.components.map((c) => c.unit)).toEqual(['kubelet.service']);
    expect(codes(r)).toEqual([`info systemd-template-unused ${L}/kubelet@.service`]);
  });

  it('reports an instance link whose unit and template are nowhere, and scans the rest', () => {
    const r = scanSystemd(
      memTree({
        [`${WANTS}/kubelet@node1.service`]: { link: `${L}/kubelet@.service` },
        [`${WANTS}/getty@tty1.service`]: { link: `${L}/getty@.service` },
        [`${L}/kube-proxy.service`]: '[Service]\nExecStart=/usr/local/bin/kube-proxy --v=2\n',
        [`${WANTS}/kube-proxy.service`]: { link: `${L}/kube-proxy.service` },
      }),
    );
    expect(r.components.map((c) => [c.name, c.enabled])).toEqual([['kube-proxy', true]]);
    expect(flagsOf(r, 'kube-proxy.service')).toEqual(['--v=2']);
    // only the component's link speaks up: getty@tty1 is no Kubernetes unit
    expect(codes(r)).toEqual([`warning systemd-instance-not-found ${WANTS}/kubelet@node1.service`]);
    expect(r.findings[0].message).toContain(`-> ${L}/kubelet@.service`);
    expect(r.findings[0].message).toContain('neither kubelet@node1.service nor its template kubelet@.service');
  });

  it('reports an unknown specifier with its file and line, keeps the command as written and the rest of the unit', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kubelet@.service`]:
          '[Service]\nEnvironment=GOOD=--good=%i BAD=%q%Z\nExecStart=/usr/bin/kubelet \\\n  --hostname-override=%i \\\n  --root-dir=/var/lib/%z \\\n  $GOOD\n',
        [`${WANTS}/kubelet@node1.service`]: { link: `${L}/kubelet@.service` },
      }),
    );
    expect(flagsOf(r, 'kubelet@node1.service')).toEqual(['--hostname-override=node1', '--root-dir=/var/lib/%z', '--good=node1']);
    expect(codes(r)).toEqual([
      `warning systemd-bad-specifier ${L}/kubelet@.service:2`,
      `error systemd-bad-specifier ${L}/kubelet@.service:5`,
    ]);
    expect(r.findings[0].message).toContain('%Z in Environment=');
    expect(r.findings[1]).toMatchObject({ component: 'kubelet' });
    expect(r.findings[1].message).toContain('%z in ExecStart=');
  });
});

describe('top-level service.d/ drop-ins', () => {
  it('apply to every service, sorted by file name with the unit\'s own drop-ins', () => {
    const r = scanSystemd(
      memTree({
        [`${E}/service.d/10-proxy.conf`]: '[Service]\nEnvironment=PROXY=--proxy=site\n',
        [`${L}/kube-proxy.service`]: '[Service]\nExecStart=/usr/local/bin/kube-proxy $PROXY $LOCAL\n',
        [`${L}/kube-proxy.service.d/05-local.conf`]: '[Service]\nEnvironment=LOCAL=--local=1\n',
        [`${L}/containerd.service`]: '[Service]\nExecStart=/usr/bin/containerd\n',
      }),
    );
    expect(r.units.map((u) => [u.name, u.dropIns])).toEqual([
      ['containerd.service', [`${E}/service.d/10-proxy.conf`]],
      ['kube-proxy.service', [`${L}/kube-proxy.service.d/05-local.conf`, `${E}/service.d/10-proxy.conf`]],
    ]);
    expect(flagsOf(r, 'kube-proxy.service')).toEqual(['--proxy=site', '--local=1']);
    expect(r.components.find((c) => c.name === 'kube-proxy')?.sources).toEqual([
      `${L}/kube-proxy.service`,
      `${L}/kube-proxy.service.d/05-local.conf`,
      `${E}/service.d/10-proxy.conf`,
    ]);
  });

  it('give way to a same-named drop-in or mask of the unit, in any unit directory; /etc overrides /usr/lib among themselves', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/service.d/10-a.conf`]: '[Service]\nEnvironment=A=--a=usr-lib-top\n',
        [`${E}/service.d/10-a.conf`]: '[Service]\nEnvironment=A=--a=etc-top\n',
        [`${E}/service.d/20-b.conf`]: '[Service]\nEnvironment=B=--b=etc-top\n',
        [`${E}/service.d/30-c.conf`]: '[Service]\nEnvironment=C=--c=etc-top\n',
        [`${L}/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet $A $B $C\n',
        [`${L}/kubelet.service.d/20-b.conf`]: '[Service]\nEnvironment=B=--b=usr-lib-unit\n',
        [`${L}/kubelet.service.d/30-c.conf`]: { link: '/dev/null' },
        [`${L}/kube-proxy.service`]: '[Service]\nExecStart=/usr/bin/kube-proxy $A $B $C\n',
        [`${WANTS}/kubelet.service`]: { link: `${L}/kubelet.service` },
      }),
    );
    expect(r.units.find((u) => u.name === 'kubelet.service')?.dropIns).toEqual([`${E}/service.d/10-a.conf`, `${L}/kubelet.service.d/20-b.conf`]);
    expect(flagsOf(r, 'kubelet.service')).toEqual(['--a=etc-top', '--b=usr-lib-unit']);
    expect(flagsOf(r, 'kube-proxy.service')).toEqual(['--a=etc-top', '--b=etc-top', '--c=etc-top']);
  });

  it('are no unit themselves, and their findings belong to no one component', () => {
    const r = scanSystemd(
      memTree({
        [`${E}/service.d/10-bad.conf`]: '[Service]\nEnvironment=1BAD=x\n',
        [`${L}/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet\n',
        [`${WANTS}/kubelet.service`]: { link: `${L}/kubelet.service` },
      }),
    );
    expect(r.units.map((u) => u.name)).toEqual(['kubelet.service']);
    expect(codes(r)).toEqual([`warning systemd-invalid-environment ${E}/service.d/10-bad.conf:2`]);
    expect(r.findings[0].component).toBeUndefined();
  });
});

describe('dash-prefix drop-ins (kube-.service.d/)', () => {
  it('apply to every unit whose name starts with the prefix; the more specific directory wins within one unit directory', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kube-apiserver.service`]: '[Service]\nExecStart=/usr/local/bin/kube-apiserver $V $X\n',
        [`${L}/kube-scheduler.service`]: '[Service]\nExecStart=/usr/local/bin/kube-scheduler $V $X\n',
        [`${L}/kubelet.service`]: '[Service]\nExecStart=/usr/bin/kubelet $V\n',
        [`${E}/kube-.service.d/10-v.conf`]: '[Service]\nEnvironment=V=--v=2\n',
        [`${E}/kube-.service.d/20-x.conf`]: '[Service]\nEnvironment=X=--x=prefix\n',
        [`${E}/kube-apiserver.service.d/20-x.conf`]: '[Service]\nEnvironment=X=--x=apiserver\n',
        [`${WANTS}/kubelet.service`]: { link: `${L}/kubelet.service` },
      }),
    );
    expect(r.units.map((u) => u.name)).toEqual(['kube-apiserver.service', 'kube-scheduler.service', 'kubelet.service']);
    expect(flagsOf(r, 'kube-apiserver.service')).toEqual(['--v=2', '--x=apiserver']);
    expect(flagsOf(r, 'kube-scheduler.service')).toEqual(['--v=2', '--x=prefix']);
    expect(flagsOf(r, 'kubelet.service')).toEqual([]);
    // the prefix directory is no unit with drop-ins but no file
    expect(r.findings.filter((f) => f.code === 'systemd-unit-file-missing')).toEqual([]);
  });

  it('follow unit-directory precedence first: /etc/kube-.service.d/ beats /usr/lib/kube-apiserver.service.d/ for the same file name', () => {
    const r = scanSystemd(
      memTree({
        [`${L}/kube-apiserver.service`]: '[Service]\nExecStart=/usr/local/bin/kube-apiserver $X\n',
        [`${L}/kube-apiserver.service.d/10-x.conf`]: '[Service]\nEnvironment=X=--x=usr-lib-apiserver\n',
        [`${E}/kube-.service.d/10-x.conf`]: '[Service]\nEnvironment=X=--x=etc-prefix\n',
      }),
    );
    expect(r.units[0].dropIns).toEqual([`${E}/kube-.service.d/10-x.conf`]);
    expect(flagsOf(r, 'kube-apiserver.service')).toEqual(['--x=etc-prefix']);
  });

  it('walks an instance like unit_file_find_dirs(): instance, template, the template\'s prefix, then the instance\'s prefix', () => {
    const conf = (v: string): string => `[Service]\nEnvironment=X=--x=${v}\n`;
    const base = {
      [`${L}/kube-apiserver@.service`]: '[Service]\nExecStart=/usr/local/bin/kube-apiserver $X\n',
      [`${WANTS}/kube-apiserver@a.service`]: { link: `${L}/kube-apiserver@.service` },
    };
    const order = ['kube-apiserver@a.service.d', 'kube-apiserver@.service.d', 'kube-.service.d', 'kube-@a.service.d', 'kube-@.service.d'];
    // each directory wins over every one after it
    for (let i = 0; i < order.length; i++) {
      const files: Record<string, string | { link: string }> = { ...base };
      for (const d of order.slice(i)) files[`${E}/${d}/10-x.conf`] = conf(d);
      expect(flagsOf(scanSystemd(memTree(files)), 'kube-apiserver@a.service')).toEqual([`--x=${order[i]}`]);
    }
  });
});

describe('specifiers', () => {
  it.each([
    ['%i', 'kubelet@node1.service', 'node1'],
    ['%I', 'mount@dev-disk-by\\x2dlabel.service', 'dev/disk/by-label'],
    ['%i', 'mount@dev-disk-by\\x2dlabel.service', 'dev-disk-by\\x2dlabel'],
    ['%f', 'mount@dev-sda1.service', '/dev/sda1'],
    ['%f', 'kubelet.service', '/kubelet'],
    ['%n %N', 'kubelet@node1.service', 'kubelet@node1.service kubelet@node1'],
    ['%p %P', 'kube-apiserver@x.service', 'kube-apiserver kube/apiserver'],
    ['%j %J', 'kube-apiserver.service', 'apiserver apiserver'],
    ['%i', 'kubelet.service', ''],
    ['%t/%S/%C/%L/%E/%T/%V', 'x.service', '/run//var/lib//var/cache//var/log//etc//tmp//var/tmp'],
    ['100%% %H %m %u %b', 'x.service', '100% %H %m %u %b'],
    ['trailing %', 'x.service', 'trailing %'],
  ])('%s in %s is "%s"', (text, unit, expected) => {
    expect(expandSpecifiers(text, unit)).toEqual({ text: expected, unknown: [] });
  });

  it('names the specifiers systemd does not know, once each', () => {
    expect(expandSpecifiers('%z %k %z %i', 'a@b.service')).toEqual({ text: '%z %k %z b', unknown: ['%z', '%k'] });
  });

  it('unescapes \\xNN as bytes of UTF-8', () => {
    expect(unescapeUnitName('Hall\\xc3\\xb6chen\\x2c\\x20Meister')).toBe('Hallöchen, Meister');
  });
});

describe('fixture systemd/templated-kubelet', () => {
  const r = scanSystemd(openDirectory('fixtures/systemd/templated-kubelet').tree);
  const kubelet = r.components.find((c) => c.name === 'kubelet');

  it('runs the kubelet as the enabled instance kubelet@node1.service of its template', () => {
    expect(r.components.map((c) => [c.name, c.unit, c.enabled])).toEqual([
      ['containerd', 'containerd.service', true],
      ['kubelet', 'kubelet@node1.service', true],
    ]);
    expect(r.units.find((u) => u.name === 'kubelet@node1.service')).toMatchObject({
      path: '/usr/lib/systemd/system/kubelet@.service',
      wantedBy: ['multi-user.target'],
      environmentFiles: ['/etc/default/kubelet', '/etc/kubernetes/kubelet-node1.env'],
    });
  });

  it('reads the effective flags with %i expanded and the per-node environment file applied', () => {
    expect(kubelet?.flags.map((f) => `${f.name}=${f.value}`)).toEqual([
      '--hostname-override=node1',
      '--node-ip=10.0.0.11',
      '--config=/var/lib/kubelet/config.yaml',
      '--kubeconfig=/etc/kubernetes/kubelet.conf',
      '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
      '--container-runtime-endpoint=unix:///run/containerd/containerd.sock',
      '--node-labels=node.kubernetes.io/pool=general',
    ]);
    expect(kubelet?.flags.find((f) => f.name === '--node-ip')?.source).toBe('/usr/lib/systemd/system/kubelet@.service:12');
  });

  it('applies the top-level service.d drop-in to every service', () => {
    for (const c of r.components) expect(c.sources).toContain('/etc/systemd/system/service.d/10-proxy.conf');
    expect(kubelet?.sources).toEqual([
      '/usr/lib/systemd/system/kubelet@.service',
      '/etc/systemd/system/service.d/10-proxy.conf',
      '/etc/default/kubelet',
      '/etc/kubernetes/kubelet-node1.env',
    ]);
    expect(r.findings).toEqual([]);
  });
});

describe('odd unit names', () => {
  it('never throws and is deterministic on names made of dashes, "@" and dots, as units, drop-in directories and links', () => {
    const name = fc
      .array(fc.constantFrom('a', 'kube', '-', '@', 'x', '.', '%'), { minLength: 1, maxLength: 8 })
      .map((p) => `${p.join('')}.service`);
    fc.assert(
      fc.property(name, name, name, (unit, dir, link) => {
        const files = {
          [`${L}/${unit}`]: '[Service]\nExecStart=/usr/bin/kubelet --n=%n --i=%i --p=%P --f=%f\n',
          [`${E}/${dir}.d/10.conf`]: '[Service]\nEnvironment=A=%j\n',
          [`${WANTS}/${link}`]: { link: `${L}/${unit}` },
        };
        expect(scanSystemd(memTree(files))).toEqual(scanSystemd(memTree(files)));
      }),
      { numRuns: 300 },
    );
  });
});
