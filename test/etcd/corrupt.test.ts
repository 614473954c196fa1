import { join } from 'node:path';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { readEtcdSnapshot, EtcdFormatError } from '../../src/etcd/snapshot.js';
import { fixture, kdiff } from './helpers.js';

const small = fixture('k8s-a.db');
const PAGE = 4096;

/** Either a status or an EtcdFormatError with a one-line message, quickly: nothing else. */
function readsOrRefuses(bytes: Buffer): 'read' | 'refused' {
  const t = Date.now();
  try {
    readEtcdSnapshot(bytes, { keys: true });
    return 'read';
  } catch (err) {
    expect(err).toBeInstanceOf(EtcdFormatError);
    expect((err as Error).message).not.toMatch(/\n/);
    return 'refused';
  } finally {
    expect(Date.now() - t).toBeLessThan(2000);
  }
}

function refusal(bytes: Buffer): string {
  try {
    readEtcdSnapshot(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(EtcdFormatError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('damaged snapshots are refused with a clear message, never a hang or a crash', () => {
  it('truncated at every page boundary and at odd offsets', () => {
    for (let n = 0; n < small.length - 32; n += 512) expect(readsOrRefuses(small.subarray(0, n))).toBe('refused');
    expect(refusal(small.subarray(0, 100))).toMatch(/file too small/);
    expect(refusal(small.subarray(0, 5 * PAGE))).toMatch(/truncated/);
  });

  it('the SHA-256 trailer alone may go: the database is still whole', () => {
    expect(readEtcdSnapshot(small.subarray(0, small.length - 32)).trailer).toBe('absent');
  });

  it('a zeroed file, zeroed meta pages, a zeroed data page', () => {
    expect(refusal(Buffer.alloc(small.length))).toMatch(/no valid meta page: bad magic/);
    const both = Buffer.from(small);
    both.fill(0, 0, 2 * PAGE);
    expect(refusal(both)).toMatch(/no valid meta page/);
    const meta = readEtcdSnapshot(small).bolt;
    const root = Buffer.from(small);
    root.fill(0, meta.root * PAGE, (meta.root + 1) * PAGE);
    expect(refusal(root)).toMatch(/page/);
  });

  it('one bad meta page: bbolt falls back to the other, and so does kdiff', () => {
    const copy = Buffer.from(small);
    copy[16 + 40] ^= 0xff; // meta 0's pgid: the checksum no longer matches
    const snap = readEtcdSnapshot(copy);
    expect(snap.bolt.metaPage).toBe(1);
    expect(snap.status).toEqual(readEtcdSnapshot(small).status);
    expect(snap.trailer).toBe('mismatch');
  });

  it('a bad checksum on both metas, a wrong version, a page that points at itself', () => {
    const sum = Buffer.from(small);
    sum[16 + 48] ^= 1;
    sum[PAGE + 16 + 48] ^= 1;
    expect(refusal(sum)).toMatch(/meta checksum mismatch/);
    const ver = Buffer.from(small);
    ver.writeUInt32LE(3, 16 + 4);
    ver.writeUInt32LE(3, PAGE + 16 + 4);
    expect(refusal(ver)).toMatch(/unsupported bbolt version 3/);
    // Make the root page a branch whose only child is itself.
    const meta = readEtcdSnapshot(small).bolt;
    const cyc = Buffer.from(small);
    const off = meta.root * PAGE;
    cyc.writeUInt16LE(0x01, off + 8);
    cyc.writeUInt16LE(1, off + 10);
    cyc.writeUInt32LE(0, off + 16);
    cyc.writeUInt32LE(0, off + 20);
    cyc.writeBigUInt64LE(BigInt(meta.root), off + 24);
    expect(refusal(cyc)).toMatch(/multiple references/);
  });

  it('fuzzed: random byte changes anywhere in the file', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(small.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }), (edits) => {
        const copy = Buffer.from(small);
        for (const [i, v] of edits) copy[i] = v;
        readsOrRefuses(copy);
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('fuzzed: page headers and element tables (where the structure is)', () => {
    const pages = small.length >> 12;
    fc.assert(
      fc.property(fc.nat(pages - 1), fc.nat(95), fc.integer({ min: 0, max: 255 }), fc.nat(), (page, at, v, cut) => {
        const copy = Buffer.from(small);
        copy[page * PAGE + at] = v;
        readsOrRefuses(cut % 4 === 0 ? copy.subarray(0, copy.length - (cut % copy.length)) : copy);
      }),
      { numRuns: 600, seed: 7 },
    );
  });

  it('fuzzed: the large snapshot, within the time bound', () => {
    const large = fixture('large.db');
    fc.assert(
      fc.property(fc.nat(large.length - 1), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const copy = Buffer.from(large);
        copy[i] = v;
        readsOrRefuses(copy);
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('CLI: a damaged file is exit 2 with one line on stderr; a trailer mismatch too, after the figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiff-etcd-'));
    try {
      const cut = join(dir, 'cut.db');
      writeFileSync(cut, small.subarray(0, 6 * PAGE));
      const r = await kdiff('etcd', 'status', cut, '--format', 'json');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^kdiff: .*cut\.db: not a whole etcd database: truncated: .*\n$/);
      const tampered = join(dir, 'tampered.db');
      const copy = Buffer.from(small);
      copy[16 + 40] ^= 0xff;
      writeFileSync(tampered, copy);
      const t = await kdiff('etcd', 'status', tampered, '--format', 'json');
      expect(t.code).toBe(2);
      expect(t.stdout).toBe('{"hash":3184640272,"revision":21,"totalKey":21,"totalSize":40960}\n');
      expect(t.stderr).toMatch(/SHA-256 etcdctl appended does not match/);
      expect(t.stderr.trimEnd().split('\n')).toHaveLength(1);
      const d = await kdiff('etcd', 'diff', cut, join(tmpdir(), 'kdiff-missing.db'));
      expect(d.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
