import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/commands/paths.js';
import type { CliIO } from '../../src/cli/io.js';
import { NODE_PATHS, tarArgs } from '../../src/source/node-paths.js';
import { openTar } from '../../src/source/tar.js';
import { BASE_NODE } from '../helpers/hostile.js';

function io(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: process.cwd() };
}

describe('kdiff paths', () => {
  it('prints the paths, flags the ones holding secrets, and the ssh one-liner', async () => {
    const t = io();
    expect(await run([], t)).toBe(0);
    const text = t.out.join('');
    expect(text).toMatch(/^\/etc\/kubernetes\/ +static pod manifests.*\[secrets\]$/m);
    expect(text).toContain("ssh NODE 'sudo tar czf - -C / --ignore-failed-read --warning=no-failed-read etc/kubernetes ");
    expect(text).toContain('holds private keys');
  });

  it('prints JSON and tar arguments; --no-keys puts the excludes before the paths', async () => {
    const j = io();
    await run(['--format', 'json', '--no-keys', '--host', 'cp-1'], j);
    const doc = JSON.parse(j.out.join(''));
    expect(doc).toMatchObject({ kdiff: 'paths', schemaVersion: 1, excludes: ['*.key', '*-key.pem', 'kubelet-client-*.pem', 'kubelet-server-*.pem'] });
    expect(doc.paths.map((p: { path: string }) => p.path)).toContain('/var/lib/kubelet/config.yaml');
    expect(doc.command).toMatch(/^ssh cp-1 'sudo tar czf - .*--exclude="\*\.key".* etc\/kubernetes .*' > cp-1\.tgz$/);
    const a = io();
    await run(['--format=tar-args', '--no-keys'], a);
    const args = a.out.join('').trim().split('\n');
    expect(args.indexOf('--exclude=*.key')).toBeLessThan(args.indexOf('etc/kubernetes'));
    expect(args).toHaveLength(4 + 4 + NODE_PATHS.length);
  });

  it('refuses bad options', async () => {
    await expect(run(['--format', 'yaml'], io())).rejects.toThrow('--format must be text, json or tar-args');
    await expect(run(['--host', "x'; rm -rf /"], io())).rejects.toThrow('plain ssh host');
    await expect(run(['--bogus'], io())).rejects.toThrow('unknown option');
  });

  it('collects a real node tree with GNU tar, and kdiff reads the archive (keys left out with --no-keys)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiff-paths-'));
    try {
      for (const noKeys of [false, true]) {
        const archive = join(dir, `node-${noKeys}.tgz`);
        const args = tarArgs({ noKeys });
        args[1] = resolve(BASE_NODE); // `-C /` on a node; here the copied tree is the node's root
        execFileSync('tar', ['czf', archive, ...args]);
        const { tree } = await openTar(archive);
        expect(tree.readText('/etc/kubernetes/manifests/kube-apiserver.yaml')).toContain('kube-apiserver');
        expect(tree.readText('/var/lib/kubelet/config.yaml')).toBeNull(); // not on this node: a missing path is fine
        expect(tree.exists('/etc/kubernetes/pki/ca.key')).toBe(!noKeys);
        expect(tree.exists('/etc/kubernetes/pki/ca.crt')).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
