import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openNodeInput, sniffNodeInput } from '../../src/source/node-input.js';
import { InputError } from '../../src/source/open.js';
import { BASE_NODE } from '../helpers/hostile.js';
import { tarArchive } from '../helpers/tar-writer.js';

let dir: string;
const snapshot = {
  kdiff: 'snapshot',
  schemaVersion: 1,
  node: {
    style: 'unknown', styleEvidence: [], role: 'unknown', roleEvidence: [], components: [], extraStaticPods: [],
    certificates: [], kubeconfigs: [], configs: [], findings: [],
  },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdiff-input-'));
  execFileSync('tar', ['czf', join(dir, 'node.tgz'), '-C', BASE_NODE, '.']);
  writeFileSync(join(dir, 'node.tar'), tarArchive([{ name: 'etc/kubernetes/admin.conf', data: 'apiVersion: v1\n' }]));
  writeFileSync(join(dir, 'snap.json'), JSON.stringify(snapshot));
  writeFileSync(join(dir, 'snapshot.tgz'), '  \n' + JSON.stringify(snapshot));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...snapshot, schemaVersion: 9 }));
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  writeFileSync(join(dir, 'node.tar.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4]));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openNodeInput', () => {
  it('opens a directory as a tree', async () => {
    const r = await openNodeInput(BASE_NODE);
    expect(r).toMatchObject({ kind: 'tree', label: BASE_NODE, format: 'directory', layout: 'root' });
    if (r.kind === 'tree') expect(r.tree.isFile('/etc/kubernetes/admin.conf')).toBe(true);
  });

  it('opens .tar and .tar.gz archives as trees', async () => {
    const gz = await openNodeInput(join(dir, 'node.tgz'), { label: 'worker-1' });
    expect(gz).toMatchObject({ kind: 'tree', label: 'worker-1', format: 'tar', layout: 'root' });
    const plain = await openNodeInput(join(dir, 'node.tar'));
    expect(plain.kind === 'tree' && plain.tree.readText('/etc/kubernetes/admin.conf')).toBe('apiVersion: v1\n');
  });

  it('opens a snapshot as a model, whatever its name', async () => {
    expect(await openNodeInput(join(dir, 'snap.json'))).toMatchObject({ kind: 'model', format: 'snapshot', model: snapshot.node });
    expect((await openNodeInput(join(dir, 'snapshot.tgz'))).kind).toBe('model');
  });

  it.each([
    ['missing', 'no such file or directory'],
    ['bad.json', 'schemaVersion 9'],
    ['notes.txt', 'not a directory, a .tar/.tar.gz archive or a kdiff snapshot'],
    ['node.tar.zst', 'zstd-compressed'],
    ['fifo', 'special file'],
  ])('refuses %s with an InputError', async (name, message) => {
    const p = join(dir, name);
    await expect(openNodeInput(p)).rejects.toThrow(InputError);
    await expect(openNodeInput(p)).rejects.toThrow(message);
  });

  it('sniffs by content', () => {
    expect(sniffNodeInput(gzipSync(Buffer.from('x')))).toBe('gzip');
    expect(sniffNodeInput(Buffer.from('\ufeff {"kdiff"'))).toBe('snapshot');
    expect(sniffNodeInput(Buffer.from('apiVersion: v1'))).toBeNull();
  });
});
