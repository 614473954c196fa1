/**
 * Hunts every secret in every fixture (private key bodies, client-key-data, tokens, encryption
 * secrets, passwords, the values in etcd backups) through every renderer in ./renderers.ts, on
 * every fixture node, the hostile tree and the hostile tarball: none may appear in any output.
 */
import { readdirSync, readFileSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RENDERERS } from './renderers.js';
import { nodeRoots, runCli } from '../helpers/cli.js';
import { buildHostileTarball, buildHostileTree, CANARY, type HostileTree } from '../helpers/hostile.js';
import { readEtcdSnapshot } from '../../src/etcd/index.js';

const FIXTURES = join(process.cwd(), 'fixtures');
const PLACEHOLDER = /^(REDACTED|\$\{?[A-Z_]+\}?|<[^>]*>|present)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && st.size < 4 * 1024 * 1024) out.push(p);
  }
  return out;
}

/** Secret strings in one PEM text: each private key's base64 body and each of its lines. */
function pemSecrets(text: string): string[] {
  const out: string[] = [];
  const re = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) {
    const lines = m[2].split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.includes(':'));
    out.push(lines.join(''));
    for (const l of lines) if (l.length >= 16) out.push(l);
  }
  return out;
}

/** Every secret in a fixture file. */
function secretsIn(text: string, file: string): string[] {
  const out = pemSecrets(text);
  // fixtures/hostile-secrets plants secrets no field name gives away: `...Password-6p7q8r`.
  if (file.includes(`${join('fixtures', 'hostile-secrets')}`)) for (const m of text.matchAll(/\b[A-Z][A-Za-z]+-[0-9][0-9a-z]{5}\b/g)) out.push(m[0]);
  for (const m of text.matchAll(/^\s*-?\s*(client-key-data|token|secret|password|id-token|refresh-token)\s*:\s*["']?([^"'\s#]+)/gm)) {
    const value = m[2];
    if (PLACEHOLDER.test(value) || value.length < 8) continue;
    out.push(value);
    if (m[1] === 'client-key-data') out.push(...pemSecrets(Buffer.from(value, 'base64').toString('utf8')));
  }
  for (const m of text.matchAll(/\b([a-z0-9]{6})\.([a-z0-9]{16})\b/g)) out.push(m[0], m[2]);
  return out;
}

const secrets = new Map<string, string>();
for (const file of walk(FIXTURES)) {
  for (const s of secretsIn(readFileSync(file, 'utf8'), file)) if (!secrets.has(s)) secrets.set(s, relative(FIXTURES, file));
}
const roots = nodeRoots(FIXTURES);

let hostile: HostileTree;
let tmp: string;
/** Every input the renderers run on: the fixture nodes, then the hostile tree and the hostile tarball. */
const inputs: { label: string; path: string; directory: boolean }[] = roots.map((r) => ({ label: relative(FIXTURES, r), path: r, directory: true }));
beforeAll(async () => {
  hostile = await buildHostileTree();
  tmp = mkdtempSync(join(tmpdir(), 'kdiff-hunt-'));
  const tgz = join(tmp, 'hostile.tgz');
  writeFileSync(tgz, gzipSync(buildHostileTarball()));
  inputs.push({ label: 'hostile tree', path: hostile.root, directory: true }, { label: 'hostile tarball', path: tgz, directory: false });
  secrets.set(CANARY, 'the canary outside the hostile tree');
});
afterAll(() => {
  hostile.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('secret hunt', () => {
  it('finds the secrets it is meant to hunt (the test cannot pass empty-handed)', () => {
    const values = [...secrets.keys()];
    expect(values).toContain('x7k2qp.9f3d1c8b4e6a0t5w');
    expect(values).toContain('9f3d1c8b4e6a0t5w');
    const sources = new Set(secrets.values());
    for (const f of [
      'seed-kubeadm-master/etc/kubernetes/pki/ca.key',
      'seed-kubeadm-master/etc/kubernetes/admin.conf',
      'seed-kubeadm-worker/var/lib/kubelet/pki/kubelet-client-2018-10-02-10-20-30.pem',
      'seed-hard-way-controller/var/lib/kubernetes/encryption-config.yaml',
      'pki-cases/etc/kubernetes/pki/key-as-cert.crt',
      'hostile-secrets/etc/kubernetes/admin.conf',
      'hostile-secrets/etc/kubernetes/kubelet.conf',
      'hostile-secrets/etc/systemd/system/kube-apiserver.service',
      'hostile-secrets/etc/default/kube-apiserver',
      'hostile-secrets/var/lib/kubernetes/encryption-config.yaml',
      'hostile-secrets/var/lib/kubernetes/token.csv',
      'hostile-secrets/var/lib/kubelet/config.yaml',
    ]) {
      expect(sources).toContain(f);
    }
    expect(secrets.size).toBeGreaterThan(500);
    expect(values).toEqual(expect.arrayContaining(['UnitFlagPassword-6p7q8r', 'DashPassword-7g8h9i', 'KubeletHeaderBearer-0n1o2p', 'q8w7e6.r5t4y3u2i1o0p9a8', 'Pa55w0rd-hostile-secrets-1']));
    expect(roots.map((r) => relative(FIXTURES, r))).toEqual(
      expect.arrayContaining(['pki-cases', 'seed-kubeadm-master', 'seed-kubeadm-worker', 'seed-hard-way-controller', 'hostile-secrets']),
    );
    expect(renderersCover()).toEqual([]);
  });

  it('would catch a renderer that leaks (a raw kubeconfig and a base64-decoded key)', () => {
    const admin = readFileSync(join(FIXTURES, 'seed-kubeadm-master/etc/kubernetes/admin.conf'), 'utf8');
    const keyData = admin.match(/client-key-data: (\S+)/)![1];
    for (const output of [admin, Buffer.from(keyData, 'base64').toString('utf8')]) {
      expect([...secrets.keys()].some((s) => output.includes(s))).toBe(true);
    }
  });

  for (const renderer of RENDERERS) {
    it(`${renderer.name}: no secret of any fixture appears, on any node`, async () => {
      const leaks: string[] = [];
      let outputBytes = 0;
      expect(inputs.length).toBe(roots.length + 2);
      for (const input of inputs) {
        if (renderer.directoryOnly && !input.directory) continue;
        const output = await renderer.render(input.path);
        outputBytes += output.length;
        for (const [secret, source] of secrets) {
          if (output.includes(secret)) leaks.push(`${input.label}: secret from ${source}`);
        }
        if (output.includes('root:x:0:0')) leaks.push(`${input.label}: the host's /etc/passwd`);
      }
      expect(outputBytes).toBeGreaterThan(0);
      expect(leaks).toEqual([]);
    }, 120_000);
  }
});

/** Every command and format kdiff has, so a renderer cannot be forgotten when one lands. */
function renderersCover(): string[] {
  const names = RENDERERS.map((r) => r.name).join('\n');
  const wanted = [
    'kdiff scan (text)', 'kdiff scan --format json', 'kdiff certs (text)', 'kdiff certs --format json',
    ...['text', 'json', 'markdown', 'junit', 'sarif'].map((f) => `kdiff <node> <seed> --format ${f}`), 'kdiff <node> <seed> --unified',
    ...['text', 'json', 'markdown', 'junit', 'sarif'].map((f) => `kdiff audit --format ${f}`),
    'kdiff ignore --from', 'kdiff paths', 'kdiff etcd status|diff', 'error messages',
  ];
  return wanted.filter((w) => !names.includes(w));
}

describe('secret hunt in etcd backups (values are never printed)', () => {
  const DBS = ['empty.db', 'k8s-a.db', 'k8s-b.db', 'large.db', 'member-snap-db'].map((f) => join(FIXTURES, 'etcd', f)).concat(join(FIXTURES, 'seed-kubeadm-master/var/lib/etcd/member/snap/db'));

  /** What a leaked value would look like: the bytes after any `k8s:enc:...:` prefix, as base64, hex and text. */
  function valueSecrets(db: string): string[] {
    const snap = readEtcdSnapshot(readFileSync(db), { keys: true });
    const out: string[] = [];
    for (const k of snap.keys) {
      if (!k.key.startsWith('/registry/secrets/')) continue;
      const raw = k.kv.value;
      const prefix = /^k8s:enc:[a-z0-9]+:v[0-9]+:[^:]*:/.exec(raw.toString('latin1'));
      const body = raw.subarray(prefix ? prefix[0].length : 0);
      if (body.length < 12) continue;
      out.push(body.toString('base64').slice(0, 16), body.toString('hex').slice(0, 16), body.subarray(0, 12).toString('latin1'));
    }
    return out;
  }

  it('finds values to hunt (the test cannot pass empty-handed)', () => {
    expect(valueSecrets(join(FIXTURES, 'etcd/k8s-a.db')).length).toBeGreaterThanOrEqual(12);
    expect(valueSecrets(join(FIXTURES, 'etcd/large.db')).length).toBeGreaterThan(100);
  });

  it('kdiff etcd status (every format, --encryption) and diff print no value of a Secret', async () => {
    const leaks: string[] = [];
    for (const db of DBS) {
      const hunted = valueSecrets(db);
      let out = '';
      for (const format of ['text', 'table', 'json', 'simple']) {
        const r = await runCli(['etcd', 'status', db, '--format', format]);
        out += r.stdout + r.stderr;
      }
      for (const format of ['text', 'json']) {
        const enc = await runCli(['etcd', 'status', db, '--encryption', '--format', format]);
        const diff = await runCli(['etcd', 'diff', join(FIXTURES, 'etcd/k8s-a.db'), db, '--format', format]);
        const back = await runCli(['etcd', 'diff', db, join(FIXTURES, 'etcd/k8s-b.db'), '--format', format]);
        out += enc.stdout + enc.stderr + diff.stdout + diff.stderr + back.stdout + back.stderr;
      }
      expect(out.length).toBeGreaterThan(0);
      for (const v of hunted) if (out.includes(v)) leaks.push(`${relative(FIXTURES, db)}: a Secret value`);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
