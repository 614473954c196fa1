import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { residual, formatExpiry } from '../../src/report/certs-text.js';

const FIXTURES = join(process.cwd(), 'fixtures');
const GOLDEN = join(process.cwd(), 'test/cli/golden');

async function certs(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdoutIsTTY: false, stderrIsTTY: false, env, cwd: process.cwd() };
  const code = await main(['certs', ...args], io);
  return { code, stdout, stderr };
}

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it. */
function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(existsSync(file)).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('kdiff certs', () => {
  it('prints the inventory of pki-cases as text (golden)', async () => {
    const r = await certs([join(FIXTURES, 'pki-cases'), '--now', '2040-01-01T00:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    golden('certs-pki-cases.txt', r.stdout);
    expect(r.stdout).toMatch(/^CERTIFICATE\s+ROLES\s+SUBJECT\s+EXPIRES\s+RESIDUAL TIME\s+STATUS\s+KEY\s+ISSUER CA$/m);
    expect(r.stdout).toMatch(/^\/etc\/kubernetes\/pki\/expiring\.crt\s+-\s+CN=expiring-client\s+Jan 20, 2040 12:00 UTC\s+19d\s+expiring\s+present\s+\/etc\/kubernetes\/pki\/ca\.crt$/m);
    expect(r.stdout).toMatch(/^ERROR\s+\/etc\/kubernetes\/pki\/expired\.crt \(CN=expired-client\) expired on 2020-01-01\.$/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('prints JSON with the same data and the judging clock', async () => {
    const r = await certs([join(FIXTURES, 'seed-kubeadm-worker'), '--format', 'json', '--now', '2030-01-01T00:00:00Z', '--expiring-days', '60']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ kdiff: 'certs', schemaVersion: 1, now: '2030-01-01T00:00:00.000Z', expiringDays: 60 });
    expect(doc.certificates.map((c: { path: string }) => c.path)).toEqual([
      '/etc/kubernetes/pki/ca.crt',
      '/var/lib/kubelet/pki/kubelet-client-current.pem',
      '/var/lib/kubelet/pki/kubelet.crt',
      '/var/lib/kubelet/pki/kubelet.crt#1',
    ]);
    expect(doc.kubeconfigs.map((k: { user: string }) => k.user)).toEqual(['system:bootstrap:x7k2qp', 'system:node:node1']);
  });

  it('colours only on a terminal, and never with NO_COLOR', async () => {
    let out = '';
    const io: CliIO = { stdout: (t) => void (out += t), stderr: () => undefined, stdoutIsTTY: true, stderrIsTTY: true, env: {}, cwd: process.cwd() };
    await main(['certs', join(FIXTURES, 'pki-cases'), '--now', '2040-01-01T00:00:00Z'], io);
    expect(out).toContain('\u001b[31m');
    out = '';
    await main(['certs', join(FIXTURES, 'pki-cases'), '--now', '2040-01-01T00:00:00Z'], { ...io, env: { NO_COLOR: '1' } });
    expect(out).not.toContain('\u001b[');
  });

  it.each([
    [['--format', 'yaml', 'x'], /argument 'yaml' is invalid/],
    [['--expiring-days', 'soon', 'x'], /whole number of days/],
    [['--now', 'tomorrow', 'x'], /ISO-8601/],
    [[], /missing required argument/],
    [[join(FIXTURES, 'no-such-node')], /no such file or directory/],
  ])('exits 2 on bad input %j', async (args, message) => {
    const r = await certs(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--fail-on: exit 1 once a finding is that severe; the inventory is printed all the same', async () => {
    const pki = [join(FIXTURES, 'pki-cases'), '--now', '2040-01-01T00:00:00Z'];
    const plain = await certs(pki);
    expect(plain.code).toBe(0);
    for (const level of ['error', 'warning']) {
      const r = await certs([...pki, '--fail-on', level]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(plain.stdout);
      expect(r.stderr).toBe('');
    }
    // Only warnings (certificates expiring within 30 days): fails on warning, not on error.
    const worker = [join(FIXTURES, 'seed-kubeadm-worker'), '--now', '2046-09-15T00:00:00Z'];
    expect((await certs([...worker, '--fail-on', 'error'])).code).toBe(0);
    const warned = await certs([...worker, '--fail-on', 'warning']);
    expect(warned.code).toBe(1);
    expect(warned.stdout).toMatch(/^WARNING \/var\/lib\/kubelet\/pki\/kubelet\.crt \(CN=node1@1538475600\) expires on 2046-10-01, within 30 days\.$/m);
    expect((await certs([join(FIXTURES, 'seed-kubeadm-worker'), '--now', '2030-01-01T00:00:00Z', '--fail-on', 'warning'])).code).toBe(0);
    expect((await certs([...pki, '--fail-on', 'sometimes'])).code).toBe(2);
  });

  it('--help exits 0', async () => {
    const r = await certs(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--expiring-days <n>');
  });
});

describe('expiry formatting', () => {
  it.each([
    ['2040-01-01T00:00:30Z', '30s'],
    ['2040-01-01T00:45:00Z', '45m'],
    ['2040-01-02T12:00:00Z', '36h'],
    ['2040-12-01T00:00:00Z', '335d'],
    ['2046-10-01T10:00:00Z', '6y'],
    ['2039-12-31T00:00:00Z', 'expired'],
  ])('residual to %s is %s (kubeadm style)', (notAfter, text) => {
    expect(residual(notAfter, '2040-01-01T00:00:00Z')).toBe(text);
  });

  it('prints expiry dates the way kubeadm does', () => {
    expect(formatExpiry('2046-10-01T10:00:00Z')).toBe('Oct 01, 2046 10:00 UTC');
  });
});
