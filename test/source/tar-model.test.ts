/** A node packed with GNU tar answers exactly as its directory: same model, no differences. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNode } from '../../src/scan/node-input.js';

const NOW = new Date('2026-06-01T00:00:00Z');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kdiff-tar-model-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(['seed-kubeadm-master', 'seed-kubeadm-worker', 'seed-hard-way-controller', 'unseen/kubeadm-external-etcd'])('%s as a .tar.gz', (fixture) => {
  it('scans to the same model as the directory, and kdiff finds no difference', async () => {
    const archive = join(tmp, `${fixture.replace('/', '-')}.tgz`);
    // Absolute symlinks (kubelet-client-current.pem, *.wants/*) are kept as links in the archive.
    execFileSync('tar', ['czf', archive, '-C', join('fixtures', fixture), '.']);
    const fromDir = await loadNode(join('fixtures', fixture), { now: NOW });
    const fromTar = await loadNode(archive, { now: NOW });
    expect(fromTar).toEqual(fromDir);
    expect(fromDir.components.length).toBeGreaterThan(0);
    const r = spawnSync(process.execPath, ['bin/kdiff.js', join('fixtures', fixture), archive, '--format', 'json', '--fail-on', 'all'], {
      encoding: 'utf8',
      env: { ...process.env, KDIFF_NOW: '2026-06-01' },
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).differences).toEqual([]);
  });
});
