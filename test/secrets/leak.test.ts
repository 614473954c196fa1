/**
 * Hunts every secret in every fixture (private key bodies, client-key-data, tokens, encryption
 * secrets, passwords) through every renderer in ./renderers.ts: none may appear in any output.
 */
import { readdirSync, readFileSync, statSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RENDERERS } from './renderers.js';

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
function secretsIn(text: string): string[] {
  const out = pemSecrets(text);
  for (const m of text.matchAll(/^\s*-?\s*(client-key-data|token|secret|password|id-token|refresh-token)\s*:\s*["']?([^"'\s#]+)/gm)) {
    const value = m[2];
    if (PLACEHOLDER.test(value) || value.length < 8) continue;
    out.push(value);
    if (m[1] === 'client-key-data') out.push(...pemSecrets(Buffer.from(value, 'base64').toString('utf8')));
  }
  for (const m of text.matchAll(/\b([a-z0-9]{6})\.([a-z0-9]{16})\b/g)) out.push(m[0], m[2]);
  return out;
}

function nodeRoots(): string[] {
  const roots: string[] = [];
  const visit = (dir: string): void => {
    const names = readdirSync(dir);
    if (names.some((n) => ['etc', 'var', 'usr', 'lib'].includes(n) && statSync(join(dir, n)).isDirectory())) {
      roots.push(dir);
      return;
    }
    for (const n of names.sort()) if (statSync(join(dir, n)).isDirectory()) visit(join(dir, n));
  };
  visit(FIXTURES);
  return roots;
}

const secrets = new Map<string, string>();
for (const file of walk(FIXTURES)) {
  for (const s of secretsIn(readFileSync(file, 'utf8'))) if (!secrets.has(s)) secrets.set(s, relative(FIXTURES, file));
}
const roots = nodeRoots();

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
    ]) {
      expect(sources).toContain(f);
    }
    expect(secrets.size).toBeGreaterThan(500);
    expect(roots.map((r) => relative(FIXTURES, r))).toEqual(expect.arrayContaining(['pki-cases', 'seed-kubeadm-master', 'seed-kubeadm-worker', 'seed-hard-way-controller']));
  });

  it('would catch a renderer that leaks (a raw kubeconfig and a base64-decoded key)', () => {
    const admin = readFileSync(join(FIXTURES, 'seed-kubeadm-master/etc/kubernetes/admin.conf'), 'utf8');
    const keyData = admin.match(/client-key-data: (\S+)/)![1];
    for (const output of [admin, Buffer.from(keyData, 'base64').toString('utf8')]) {
      expect([...secrets.keys()].some((s) => output.includes(s))).toBe(true);
    }
  });

  for (const renderer of RENDERERS) {
    it(`${renderer.name}: no secret of any fixture appears`, async () => {
      const leaks: string[] = [];
      let outputBytes = 0;
      for (const root of roots) {
        const output = await renderer.render(root);
        outputBytes += output.length;
        for (const [secret, source] of secrets) {
          if (output.includes(secret)) leaks.push(`${relative(FIXTURES, root)}: secret from ${source}`);
        }
      }
      expect(outputBytes).toBeGreaterThan(0);
      expect(leaks).toEqual([]);
    });
  }
});
