/**
 * Snapshots round-trip for every fixture tree (scan -> JSON -> diff against the tree: no
 * difference; scan of the snapshot: the same bytes), and a snapshot edited to hold surprising
 * values is refused whole with one clear line on stderr that never repeats the value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { nodeRoots, runCli } from '../helpers/cli.js';
import { buildHostileTree, CANARY, type HostileTree } from '../helpers/hostile.js';

let tmp: string;
let hostile: HostileTree;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdiff-roundtrip-'));
  hostile = await buildHostileTree();
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  hostile.cleanup();
});

const ROOTS = nodeRoots();

describe('snapshot round trip', () => {
  it('covers every fixture tree', () => {
    expect(ROOTS.length).toBeGreaterThanOrEqual(29);
    expect(ROOTS.map((r) => relative('fixtures', r))).toEqual(expect.arrayContaining(['seed-kubeadm-master', 'pki-cases', 'corpus/kubernetes-the-hard-way/2025-04-1.32.3']));
  });

  it.each(ROOTS.map((r) => [relative(process.cwd(), r)]))('%s: scan -> snapshot -> diff is empty, rescan is byte-identical', async (root) => {
    const scan = await runCli(['scan', root, '--format', 'json']);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toBe('');
    const file = join(tmp, root.replace(/[/\\]/g, '_') + '.json');
    writeFileSync(file, scan.stdout);

    const diff = await runCli([file, root, '--format', 'json']);
    expect(diff.stderr).toBe('');
    const report = JSON.parse(diff.stdout);
    expect(report.differences).toEqual([]);
    expect(diff.code).toBe(0);

    const again = await runCli(['scan', file, '--format', 'json']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(scan.stdout);
  });

  it('holds for the hostile tree too, and the canary stays out', async () => {
    const scan = await runCli(['scan', hostile.root, '--format', 'json']);
    expect(scan.code).toBe(0);
    expect(scan.stdout).not.toContain(CANARY);
    const file = join(tmp, 'hostile.json');
    writeFileSync(file, scan.stdout);
    const again = await runCli(['scan', file, '--format', 'json']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(scan.stdout);
    const diff = await runCli([file, hostile.root]);
    expect(diff.code).toBe(0);
  });

  it('works the same through the built bin', () => {
    const root = 'fixtures/seed-hard-way-controller';
    const env = { ...process.env, NO_COLOR: '1', KDIFF_NOW: '2030-01-01T00:00:00Z' };
    const scan = spawnSync(process.execPath, ['bin/kdiff.js', 'scan', root, '--format', 'json'], { encoding: 'utf8', env });
    expect(scan.status).toBe(0);
    const file = join(tmp, 'bin.json');
    writeFileSync(file, scan.stdout);
    const diff = spawnSync(process.execPath, ['bin/kdiff.js', file, root], { encoding: 'utf8', env });
    expect(diff.status).toBe(0);
    const again = spawnSync(process.execPath, ['bin/kdiff.js', 'scan', file, '--format', 'json'], { encoding: 'utf8', env });
    expect(again.stdout).toBe(scan.stdout);
  });
});

describe('a snapshot edited to hold surprising values', () => {
  const SECRET = 'hunter2-S3CR3T-value-0xdeadbeef';
  const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAuFakeKeyBodyForTheTest0123456789abcdefABCDEF\n-----END RSA PRIVATE KEY-----\n';
  let base: any;
  beforeAll(async () => {
    base = JSON.parse((await runCli(['scan', 'fixtures/seed-kubeadm-master', '--format', 'json'])).stdout);
  });

  function edited(edit: (s: any) => void): string {
    const s = structuredClone(base);
    edit(s);
    return JSON.stringify(s);
  }

  const cases: Array<[string, (s: any) => string | void, RegExp]> = [
    ['an unknown schemaVersion', (s) => void (s.schemaVersion = 2), /schemaVersion 2 is not one this kdiff reads \(it reads 1\)/],
    ['a schemaVersion that is a string', (s) => void (s.schemaVersion = SECRET), /schemaVersion a string is not one this kdiff reads/],
    ['a __proto__ key', () => undefined, /has a key named "__proto__", which is never valid/],
    ['a 10 MB string', (s) => void (s.node.components[0].flags[0].value = 'A'.repeat(10 * 1024 * 1024)), /flags\[0\]\.value is 10485760 characters long, over the limit of 4194304/],
    ['control characters', (s) => void (s.node.findings.push({ severity: 'info', code: 'x', path: null, message: `${SECRET}\u001b[2J` })), /message holds control or bidi characters/],
    ['a negative count', (s) => void (s.node.etcd = [{ dataDir: '/var/lib/etcd', db: null, status: { hash: 1, revision: -5, totalKey: 1, totalSize: 1 } }]), /status\.revision is not a whole number of at least 0/],
    ['a secret where an enum goes', (s) => void (s.node.components[0].runMode = SECRET), /runMode is not one of static-pod, systemd, daemonset/],
    ['a secret where a date goes', (s) => void (s.node.certificates[0].notAfter = SECRET), /notAfter is not an ISO-8601 date and time/],
    ['a private key in a flag value', (s) => void (s.node.components[0].flags[0].value = `${SECRET}\n${KEY}`), /flags\[0\]\.value holds private key material, which kdiff never writes into a snapshot/],
    ['a bootstrap token in a finding', (s) => void (s.node.findings.push({ severity: 'info', code: 'x', path: null, message: 'token x7k2qp.9f3d1c8b4e6a0t5w' })), /holds what looks like a bootstrap token/],
    ['a wrong type', (s) => void (s.node.components = SECRET), /node\.components is a string, expected an array/],
  ];

  it.each(cases)('%s: exit 2, one line, the value never echoed', async (what, edit, message) => {
    const file = join(tmp, `edited-${what.replace(/\W+/g, '-')}.json`);
    let text = edited((s) => void edit(s));
    if (what === 'a __proto__ key') text = text.replace('"node":{', `"node":{"__proto__":{"polluted":"${SECRET}"},`);
    writeFileSync(file, text);
    for (const argv of [['scan', file], ['scan', file, '--format', 'json'], [file, 'fixtures/seed-kubeadm-master'], ['audit', '--baseline', file, 'fixtures/seed-kubeadm-master']]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain(SECRET);
      expect(r.stderr).not.toContain('PRIVATE KEY');
      expect(r.stderr).not.toContain('9f3d1c8b4e6a0t5w');
      expect(r.stderr).not.toContain('AAAA');
    }
    expect(({} as any).polluted).toBeUndefined();
  });

  it('malformed JSON: exit 2, the text around the error never echoed', async () => {
    for (const text of [`{"kdiff":"snapshot","schemaVersion":1,"node": ${SECRET} }`, `{"kdiff":"snapshot","node":{"x":"${SECRET}`, `{"kdiff": "snapshot", "token": "${SECRET}",}`]) {
      const file = join(tmp, 'malformed.json');
      writeFileSync(file, text);
      const r = await runCli(['scan', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^kdiff: .*malformed\.json: not valid JSON \(/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain(SECRET);
      expect(r.stderr).not.toContain('hunter2');
    }
  });

  it('a secret-named flag or config field in clear is redacted on load, not printed', async () => {
    const file = join(tmp, 'clear-secret.json');
    writeFileSync(
      file,
      edited((s) => {
        s.node.components[0].flags.push({ name: '--etcd-password', value: SECRET, source: '/etc/kubernetes/manifests/etcd.yaml:9' });
        s.node.components[0].flags.push({ name: '--use-service-account-credentials', value: 'true', source: '/etc/kubernetes/manifests/etcd.yaml:10' });
        s.node.configs.push({ path: '/etc/kubernetes/enc.yaml', kind: 'EncryptionConfiguration', apiVersion: null, component: null, content: { keys: [{ name: 'k', secret: SECRET }] } });
      }),
    );
    for (const argv of [['scan', file], ['scan', file, '--format', 'json'], [file, 'fixtures/seed-kubeadm-master', '--format', 'json'], [file, 'fixtures/seed-kubeadm-master', '--unified']]) {
      const r = await runCli(argv);
      expect(r.code).toBeLessThan(2);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    const json = JSON.parse((await runCli(['scan', file, '--format', 'json'])).stdout);
    const flags = json.node.components[0].flags;
    expect(flags).toContainEqual(expect.objectContaining({ name: '--etcd-password', value: 'present' }));
    expect(flags).toContainEqual(expect.objectContaining({ name: '--use-service-account-credentials', value: 'true' }));
  });
});

describe('jsonErrorOffset (where a snapshot stops being JSON, without quoting it)', () => {
  it('finds an error exactly when JSON.parse does, inside the text or at its end', async () => {
    const { jsonErrorOffset } = await import('../../src/source/snapshot.js');
    const fc = (await import('fast-check')).default;
    const valid = (t: string): boolean => {
      try {
        JSON.parse(t);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', 'x', ' ', '\n', ':', '{', '[', '1'), (json, at, insert) => {
        expect(jsonErrorOffset(json)).toBe(-1);
        const pos = at % (json.length + 1);
        const broken = json.slice(0, pos) + insert + json.slice(pos);
        const off = jsonErrorOffset(broken);
        expect(off === -1).toBe(valid(broken));
        expect(off).toBeLessThanOrEqual(broken.length);
      }),
      { numRuns: 2000 },
    );
  });
});
