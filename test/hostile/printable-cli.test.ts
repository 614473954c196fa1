/**
 * Terminal escape injection: a node whose files hold escape sequences, C0/C1 controls, line breaks
 * and bidi overrides in values (flags of a unit and of a static pod, a config path asked for by a
 * flag, a certificate subject) is read through the built CLI (bin/kdiff.js). No human-readable
 * output may carry one raw: each shows as an escape (`\u001b[2J`), while kdiff's own colours still
 * work when colour is forced. JSON is left as it is (JSON.stringify escapes C0 itself).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KDIFF = join(process.cwd(), 'bin', 'kdiff.js');
const SEED = join(process.cwd(), 'fixtures', 'seed-kubeadm-master');

const ESC = '\u001b';
/** Hostile payloads, each planted in a different kind of value. */
const CLEAR = `${ESC}[2J`; // clear the screen: a unit's flag value
const TITLE = `${ESC}]0;pwned\u0007`; // OSC: set the window title, BEL-terminated
const HIDE = `${ESC}[8m`; // SGR 8: hide what follows (a static pod flag)
const RLO = '\u202e'; // right-to-left override
const FORGED = '\n  error    forged-finding  /etc/passwd';

let dir: string;
let node: string;

function kdiff(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KDIFF, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', KDIFF_NOW: '2030-01-01T00:00:00Z', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A certificate whose subject CN holds an escape sequence: the seed's, with 4 bytes of the CN changed (DER lengths kept). */
function patchCertificate(file: string): void {
  const pem = readFileSync(file, 'utf8');
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  const at = der.indexOf('kube-apiserver-kubelet-client');
  if (at < 0) throw new Error('seed certificate changed: CN not found');
  der.write(HIDE, at, 'latin1');
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  writeFileSync(file, `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdiff-printable-'));
  node = join(dir, 'hostile');
  cpSync(SEED, node, { recursive: true });
  const dropIn = join(node, 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf');
  writeFileSync(
    dropIn,
    readFileSync(dropIn, 'utf8')
      .replace('--config=/var/lib/kubelet/config.yaml', `--config=/var/lib/kubelet/${CLEAR}config.yaml`)
      .replace('ExecStart=/usr/bin/kubelet ', `ExecStart=/usr/bin/kubelet --hostname-override=${TITLE}node1 --node-labels=role=${RLO}evil `),
  );
  const manifest = join(node, 'etc/kubernetes/manifests/kube-apiserver.yaml');
  writeFileSync(
    manifest,
    readFileSync(manifest, 'utf8')
      // YAML double-quoted escapes: the parsed values hold the raw characters.
      .replace('- --service-cluster-ip-range=10.96.0.0/12', '- "--service-cluster-ip-range=10.96.0.0/12\\e[8m"')
      .replace('- --tls-cert-file=/etc/kubernetes/pki/apiserver.crt', '- "--tls-cert-file=/etc/kubernetes/pki/\\e[2Japiserver.crt"')
      .replace('- --secure-port=6443', '- "--secure-port=6443\\n  error    forged-finding  /etc/passwd"\n    - "--audit-log-path=/var/log/\\u202eaudit\\x9b.log"'),
  );
  patchCertificate(join(node, 'etc/kubernetes/pki/apiserver-kubelet-client.crt'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** kdiff's own colours, the only escape sequences allowed (when colour is forced). */
const SGR = /\u001b\[[0-9;]*m/g;

/** Asserts no control character (but \n) and no bidi character is in `out`, once kdiff's own SGR codes are removed. */
function expectPrintable(out: string, { colour = false } = {}): void {
  const rest = colour ? out.replace(SGR, '') : out;
  if (!colour) expect(out).not.toContain(ESC);
  const bad = [...rest.matchAll(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g)].map((m) => m[0]);
  expect(bad).toEqual([]);
  // A colour-forced run may hold kdiff's SGR codes, never the planted ones.
  for (const planted of [CLEAR, TITLE, HIDE, RLO]) expect(out).not.toContain(planted);
  expect(out).not.toMatch(/^\s*error\s+forged-finding/m);
}

describe('no control or bidi character from a node reaches a human-readable output', () => {
  it('the scan reads the hostile values (so the tests below test something)', () => {
    const r = kdiff(['scan', node, '--format', 'json']);
    expect(r.code).toBe(0);
    const model = JSON.parse(r.stdout) as { node: { components: Array<{ name: string; flags: Array<{ name: string; value: string | null }> }> } };
    const flag = (c: string, f: string) => model.node.components.find((x) => x.name === c)?.flags.find((x) => x.name === f)?.value;
    expect(flag('kubelet', '--config')).toBe(`/var/lib/kubelet/${CLEAR}config.yaml`);
    expect(flag('kubelet', '--hostname-override')).toBe(`${TITLE}node1`);
    expect(flag('kube-apiserver', '--secure-port')).toBe(`6443${FORGED}`);
    // JSON keeps its own escaping: the model is not changed by the text outputs' escaping.
    expect(r.stdout).toContain('"/var/lib/kubelet/\\u001b[2Jconfig.yaml"');
  });

  it('kdiff scan (text)', () => {
    const r = kdiff(['scan', node]);
    expect(r.code).toBe(0);
    expectPrintable(r.stdout);
    // The kubelet's --config file is asked for and missing: the finding names it, escaped.
    expect(r.stdout).toContain('/var/lib/kubelet/\\u001b[2Jconfig.yaml');
  });

  for (const [name, args] of [
    ['text', []],
    ['markdown', ['--format', 'markdown']],
    ['unified', ['--unified']],
  ] as const) {
    it(`kdiff <a> <b> (${name}), plain and with colour forced`, () => {
      for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }] as Record<string, string>[]) {
        const r = kdiff([node, SEED, ...args], env);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe('');
        const colour = 'FORCE_COLOR' in env && name !== 'markdown';
        expectPrintable(r.stdout, { colour });
        if (colour) expect(r.stdout).toMatch(SGR);
        // Wrapping of the text table may split values: look at the output with line breaks taken out.
        const flat = r.stdout.replace(SGR, '').replace(/\n\s*/g, '');
        expect(flat).toContain('\\u001b]0;pwned\\u0007node1');
        expect(flat).toContain('\\u202eevil');
        expect(flat).toContain('6443\\n');
        expect(flat).toContain('\\u009b.log');
      }
    });
  }

  it('kdiff <a> <b> --format json keeps the values as JSON writes them', () => {
    const r = kdiff([node, SEED, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { differences: Array<{ key: string; left: unknown }> };
    expect(report.differences.find((d) => d.key === '--hostname-override')?.left).toBe(`${TITLE}node1`);
  });

  it('kdiff audit (text and markdown), and an unreadable node whose name holds an escape', () => {
    const missing = join(dir, `gone${CLEAR}`);
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }] as Record<string, string>[]) {
      const r = kdiff(['audit', '--baseline', SEED, node, missing], env);
      expect(r.code).toBe(1);
      expectPrintable(r.stdout, { colour: 'FORCE_COLOR' in env });
      expect(r.stdout).toContain('\\u001b]0;pwned\\u0007node1');
      expect(r.stdout).toContain('gone\\u001b[2J');
    }
    const md = kdiff(['audit', '--baseline', SEED, node, '--format', 'markdown']);
    expectPrintable(md.stdout);
    expect(md.stdout).toContain('\\u202eevil');
  });

  it('kdiff audit of unreadable nodes only: the stderr lines are escaped', () => {
    const r = kdiff(['audit', join(dir, `gone${CLEAR}`), join(dir, `gone${RLO}2`)]);
    expect(r.code).toBe(2);
    expectPrintable(r.stderr);
    expect(r.stderr).toContain('gone\\u001b[2J');
    expect(r.stderr).toContain('gone\\u202e2');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('kdiff certs: a certificate subject with an escape sequence stays escaped', () => {
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }] as Record<string, string>[]) {
      const r = kdiff(['certs', node, '--now', '2040-01-01T00:00:00Z'], env);
      expectPrintable(r.stdout);
      // Distinguished names are written as RFC 4514 says (a control character as `\1b`), so the subject arrives already escaped.
      // A certificate asked for by a flag and missing: its path is escaped in the finding.
      expect(r.stdout).toContain('/etc/kubernetes/pki/\\u001b[2Japiserver.crt');
      expect(r.stdout).toMatch(/^\/etc\/kubernetes\/pki\/apiserver-kubelet-client\.crt\s+\S+\s+CN=\\1b\[8m-apiserver-kubelet-client,O=system:masters\s/m);
    }
  });

  it('an error naming a node path is one escaped line on stderr', () => {
    const r = kdiff([join(dir, `nowhere${TITLE}`), SEED]);
    expect(r.code).toBe(2);
    expectPrintable(r.stderr);
    expect(r.stderr).toContain('nowhere\\u001b]0;pwned\\u0007');
  });
});
