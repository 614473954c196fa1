/**
 * Against a real etcd when one is installed (Debian's etcd-server + etcd-client): a fresh
 * snapshot, never seen before, must get etcdctl's own answers. Without etcd on PATH the same
 * comparison runs on the snapshots recorded by scripts/etcd-fixtures.sh.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEtcdSnapshot } from '../../src/etcd/snapshot.js';
import { renderStatusJson, renderStatusTable } from '../../src/etcd/render.js';
import { FIXTURES, SNAPSHOTS, fixture, fixtureText } from './helpers.js';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const live = onPath('etcd') && onPath('etcdctl');

describe(live ? 'a fresh snapshot from a live etcd' : 'recorded snapshots (etcd is not installed here)', () => {
  let dir = '';
  let etcd: ChildProcess | null = null;
  let endpoint = '';

  beforeAll(async () => {
    if (!live) return;
    dir = mkdtempSync(join(tmpdir(), 'kdiff-live-etcd-'));
    const [client, peer] = [await freePort(), await freePort()];
    endpoint = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    etcd = spawn('etcd', ['--name', 'live', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `live=${peerUrl}`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('etcdctl', ['--endpoints', endpoint, 'endpoint', 'health'], { env: { ...process.env, ETCDCTL_API: '3' } }).status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('etcd did not become healthy');
  });

  afterAll(async () => {
    if (etcd && etcd.exitCode === null) {
      const exited = new Promise((r) => etcd?.once('exit', r));
      etcd.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kdiff status equals etcdctl snapshot status', () => {
    if (!live) {
      for (const name of SNAPSHOTS) {
        const s = readEtcdSnapshot(fixture(name)).status;
        expect(renderStatusJson(s)).toBe(fixtureText(`${name}.status.json`));
        expect(renderStatusTable(s)).toBe(fixtureText(`${name}.status.table`));
      }
      expect(readFileSync(join(FIXTURES, 'ETCD_VERSION'), 'utf8')).toMatch(/^etcd Version: 3\./);
      return;
    }
    const env = { ...process.env, ETCDCTL_API: '3' };
    const loader = join(process.cwd(), 'scripts/etcd-fixtures-load.mjs');
    execFileSync('node', [loader, endpoint, 'small'], { stdio: 'ignore' });
    execFileSync('node', [loader, endpoint, 'change'], { stdio: 'ignore' });
    const file = join(dir, 'fresh.db');
    execFileSync('etcdctl', ['--endpoints', endpoint, 'snapshot', 'save', file], { env, stdio: 'ignore' });
    const json = execFileSync('etcdctl', ['--write-out=json', 'snapshot', 'status', file], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const table = execFileSync('etcdctl', ['--write-out=table', 'snapshot', 'status', file], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const snap = readEtcdSnapshot(readFileSync(file), { keys: true });
    expect(renderStatusJson(snap.status)).toBe(json);
    expect(renderStatusTable(snap.status)).toBe(table);
    expect(snap.trailer).toBe('ok');
    const keys = execFileSync('etcdctl', ['--endpoints', endpoint, 'get', '', '--prefix', '--keys-only'], { env }).toString()
      .split('\n').filter((l) => l !== '');
    expect(snap.keys.filter((k) => k.deletedAt === null).map((k) => k.key)).toEqual(keys);
  });
});
