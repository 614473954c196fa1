import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadSnapshot, parseSnapshot, validateSnapshot } from '../../src/source/snapshot.js';
import { InputError } from '../../src/source/open.js';
import type { Snapshot } from '../../src/model/types.js';

const schema = JSON.parse(readFileSync('docs/schema/snapshot.schema.json', 'utf8'));
const ajv = new Ajv2020({ allErrors: false, strict: false });
const schemaValid = ajv.compile(schema);

/** A realistic snapshot: every kind of record, optional fields both present and absent. */
function goodSnapshot(): Snapshot {
  return {
    kdiff: 'snapshot',
    schemaVersion: 1,
    node: {
      style: 'kubeadm',
      styleEvidence: ['static pod manifests in /etc/kubernetes/manifests'],
      role: 'control-plane',
      roleEvidence: ['kube-apiserver runs here'],
      components: [
        {
          name: 'kube-apiserver',
          runMode: 'static-pod',
          sources: ['/etc/kubernetes/manifests/kube-apiserver.yaml'],
          image: 'registry.k8s.io/kube-apiserver:v1.31.2',
          binary: null,
          version: 'v1.31.2',
          enabled: null,
          flags: [
            { name: '--etcd-servers', value: 'https://127.0.0.1:2379', source: '/etc/kubernetes/manifests/kube-apiserver.yaml:27' },
            { name: '--allow-privileged', value: 'true', source: '/etc/kubernetes/manifests/kube-apiserver.yaml:18', bare: false },
          ],
        },
        {
          name: 'kubelet',
          runMode: 'systemd',
          sources: ['/usr/lib/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'],
          image: null,
          binary: '/usr/bin/kubelet',
          version: null,
          enabled: true,
          unit: 'kubelet.service',
          masked: false,
          flags: [{ name: '--config', value: '/var/lib/kubelet/config.yaml', source: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:6', overridden: true }],
          args: [],
        },
      ],
      extraStaticPods: [{ name: 'kube-vip', path: '/etc/kubernetes/manifests/kube-vip.yaml', image: null }],
      certificates: [
        {
          path: '/etc/kubernetes/pki/apiserver.crt',
          subject: 'CN=kube-apiserver',
          issuer: 'CN=kubernetes',
          serial: '1a2b',
          notBefore: '2024-01-01T00:00:00.000Z',
          notAfter: '2025-01-01T00:00:00Z',
          sans: ['DNS:kubernetes', 'IP:10.96.0.1'],
          isCA: false,
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extKeyUsage: ['serverAuth'],
          publicKey: 'RSA 2048',
          sha256: 'a'.repeat(64),
          roles: ['kube-apiserver:serving'],
          issuerPath: '/etc/kubernetes/pki/ca.crt',
          privateKey: 'present',
          status: 'valid',
        },
      ],
      kubeconfigs: [
        {
          path: '/etc/kubernetes/scheduler.conf',
          server: 'https://10.0.0.1:6443',
          user: 'system:kube-scheduler',
          groups: [],
          auth: 'client-certificate',
          ca: '/etc/kubernetes/scheduler.conf#ca',
          clientCertificate: '/etc/kubernetes/scheduler.conf#client-certificate',
          roles: ['kube-scheduler:kubeconfig'],
        },
      ],
      configs: [
        {
          path: '/var/lib/kubelet/config.yaml',
          kind: 'KubeletConfiguration',
          apiVersion: 'kubelet.config.k8s.io/v1beta1',
          component: 'kubelet',
          content: { authentication: { anonymous: { enabled: false } }, clusterDNS: ['10.96.0.10'], readOnlyPort: 0, note: 'multi\nline' },
        },
      ],
      etcd: [{ dataDir: '/var/lib/etcd', db: '/var/lib/etcd/member/snap/db', status: { hash: 1, revision: 2, totalKey: 3, totalSize: 4 } }],
      findings: [
        { severity: 'warning', code: 'symlink-escapes-root', path: '/etc/kubernetes/x', message: 'not followed.' },
        { severity: 'info', code: 'kubelet-not-enabled', path: null, message: 'm', line: 3, component: 'kubelet' },
      ],
    },
  };
}

type Mutation = [string, (s: any) => void];

const BAD: Mutation[] = [
  ['kdiff is a report', (s) => (s.kdiff = 'report')],
  ['schemaVersion 2', (s) => (s.schemaVersion = 2)],
  ['schemaVersion as a string', (s) => (s.schemaVersion = '1')],
  ['node missing', (s) => delete s.node],
  ['unknown style', (s) => (s.node.style = 'k3s')],
  ['components not an array', (s) => (s.node.components = {})],
  ['flag name a number', (s) => (s.node.components[0].flags[0].name = 42)],
  ['flag value missing', (s) => delete s.node.components[0].flags[0].value],
  ['non-string source path', (s) => (s.node.components[0].sources[0] = ['x'])],
  ['relative node path', (s) => (s.node.components[0].sources[0] = 'etc/kubernetes/x')],
  ['escape in a path', (s) => (s.node.findings[0].path = '/etc/\u001b[2Jx')],
  ['NUL in a message', (s) => (s.node.findings[0].message = 'a\u0000b')],
  ['bidi override in a flag value', (s) => (s.node.components[0].flags[0].value = 'safe\u202eevil')],
  ['__proto__ key', (s) => (s.node.components[0] = JSON.parse('{"__proto__": {"polluted": true}}'))],
  ['__proto__ key inside config content', (s) => (s.node.configs[0].content = JSON.parse('{"a": {"__proto__": 1}}'))],
  ['constructor key at the top', (s) => (s.constructor = 1)],
  ['enabled a string', (s) => (s.node.components[1].enabled = 'yes')],
  ['bad date', (s) => (s.node.certificates[0].notAfter = 'next year')],
  ['bad sha256', (s) => (s.node.certificates[0].sha256 = 'XYZ')],
  ['negative line', (s) => (s.node.findings[1].line = 0)],
  ['fractional count', (s) => (s.node.etcd[0].status.hash = 1.5)],
  ['uppercase finding code', (s) => (s.node.findings[0].code = 'Bad Code')],
  ['huge array', (s) => (s.node.styleEvidence = Array(50001).fill('x'))],
  ['huge string', (s) => (s.node.components[0].name = 'x'.repeat(5000))],
  ['privateKey holds a key', (s) => (s.node.certificates[0].privateKey = '-----BEGIN RSA PRIVATE KEY-----')],
  ['an unknown field with a control character', (s) => (s.node.future = 'a\u0007b')],
];

function agree(value: unknown): { ours: boolean; schema: boolean } {
  let ours = true;
  try {
    validateSnapshot(value);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    ours = false;
  }
  return { ours, schema: schemaValid(value) as boolean };
}

describe('snapshot validation', () => {
  it('accepts a good snapshot, and the schema agrees', () => {
    expect(agree(goodSnapshot())).toEqual({ ours: true, schema: true });
  });

  it('accepts unknown fields that are plain JSON (a later kdiff may add some), and the schema agrees', () => {
    const s: any = goodSnapshot();
    s.node.components[0].futureField = { nested: [1, 'two', null] };
    s.generator = 'kdiff 0.2.0';
    expect(agree(s)).toEqual({ ours: true, schema: true });
  });

  it.each(BAD)('rejects %s, and the schema agrees', (_name, mutate) => {
    const s = goodSnapshot();
    mutate(s);
    expect(agree(JSON.parse(JSON.stringify(s)))).toEqual({ ours: false, schema: false });
  });

  it('names the field that is wrong', () => {
    const s: any = goodSnapshot();
    s.node.components[1].runMode = 'cron';
    expect(() => validateSnapshot(s, 'base.json')).toThrow(
      'base.json: invalid snapshot: node.components[1].runMode is not one of static-pod, systemd, daemonset',
    );
    expect(() => validateSnapshot({ ...goodSnapshot(), schemaVersion: 7 }, 'b.json')).toThrow('snapshot schemaVersion 7 is not one this kdiff reads (it reads 1)');
    expect(() => validateSnapshot({ kdiff: 'report' }, 'r.json')).toThrow('not a kdiff snapshot (it is a kdiff report');
  });

  it('never echoes a long value (it could be a secret pasted in the wrong place)', () => {
    const s: any = goodSnapshot();
    const secret = 'MIIEowIBAAKCAQEA' + 'Q'.repeat(200);
    s.node.certificates[0].status = secret;
    expect(() => validateSnapshot(s)).toThrow(InputError);
    try {
      validateSnapshot(s);
    } catch (err) {
      expect((err as Error).message).not.toContain('Q'.repeat(60));
    }
  });

  it('rejects malformed JSON, deep nesting and oversize input with an InputError', () => {
    expect(() => parseSnapshot('{"kdiff": "snapshot", ')).toThrow(/not valid JSON/);
    const deep: any = goodSnapshot();
    let o: any = {};
    deep.node.configs[0].content = o;
    for (let i = 0; i < 100; i++) o = o.x = {};
    expect(() => validateSnapshot(deep)).toThrow(/nested more than 64 levels/);
    expect(() => parseSnapshot(JSON.stringify(goodSnapshot()), 'x', { maxBytes: 100 })).toThrow(/over the 100-byte limit/);
    expect(() => parseSnapshot('[' .repeat(200000) + ']'.repeat(200000))).toThrow(InputError);
    expect(() => parseSnapshot('1e400')).toThrow(InputError);
  });

  it('loads from a file or from text, and a missing file is an InputError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiff-snap-'));
    try {
      const p = join(dir, 'base.json');
      writeFileSync(p, JSON.stringify(goodSnapshot(), null, 2));
      expect(loadSnapshot(p)).toEqual(goodSnapshot());
      expect(loadSnapshot(JSON.stringify(goodSnapshot()))).toEqual(goodSnapshot());
      expect(() => loadSnapshot(join(dir, 'nope.json'))).toThrow(/no such file/);
      writeFileSync(join(dir, 'bin.json'), Buffer.from([0x7b, 0xff, 0xfe]));
      expect(() => loadSnapshot(join(dir, 'bin.json'))).toThrow(/not UTF-8/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validator and schema agree on arbitrary edits (fast-check)', () => {
  const paths: string[][] = [];
  const collect = (v: unknown, at: string[]): void => {
    paths.push(at);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, [...at, k]);
  };
  collect(goodSnapshot(), []);
  const interesting = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('', '/', '/etc/x', 'x\u001by', 'tab\there', '\u202e', 'error', 'systemd', 'a'.repeat(64), '2024-01-01T00:00:00Z', -1, 0, 1.5, 2 ** 60),
    fc.constant(JSON.parse('{"__proto__": 1}')),
  );

  it('gives the same verdict for any value put anywhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: paths.length - 1 }), interesting, fc.boolean(), (i, value, remove) => {
        const s: any = goodSnapshot();
        const at = paths[i];
        let parent = s;
        for (const k of at.slice(0, -1)) parent = parent[k];
        if (remove) delete parent[at[at.length - 1]];
        else parent[at[at.length - 1]] = value;
        const copy = JSON.parse(JSON.stringify(s));
        const r = agree(copy);
        expect(r.ours).toBe(r.schema);
      }),
      { numRuns: 400, seed: 42 },
    );
  });
});
