/**
 * readdir hands names over decoded as UTF-8: a name that is not valid UTF-8 (`x\xff`) comes back as
 * `x\ufffd`, the same string as a real `x\ufffd` (bytes 78 ef bf bd). A listing then says one of the
 * two entries' kinds for both; a lookup of that name must still see what lstat sees (the real
 * `x\ufffd`), or a link out of the tree is taken for a directory and followed by the host.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDirectory } from '../../src/source/open.js';

const LINK = 'x\ufffd';

let base: string;
let root: string;
let outside: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'kdiff-lossy-'));
  root = join(base, 'node');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'etc', 'kubernetes'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.conf'), 'HOST-SECRET\n');
  writeFileSync(join(root, 'etc', 'kubernetes', 'admin.conf'), 'x: 1\n');
  const k8s = join(root, 'etc', 'kubernetes');
  // A link out of the tree with a valid name, and 128 directories whose invalid names read the same:
  // whatever order readdir gives them in, one of the directories nearly always comes after the link.
  symlinkSync(outside, join(k8s, LINK));
  const k8sBuf = Buffer.from(k8s + '/');
  for (let b = 0x80; b <= 0xff; b++) mkdirSync(Buffer.concat([k8sBuf, Buffer.from([0x78, b])]));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

test('a name that readdir decodes lossily is looked up as lstat sees it: the link is not followed out', () => {
  const { tree } = openDirectory(root);
  // The tree lists /etc/kubernetes (as scanners do), then is asked for a path through the link.
  expect(tree.list('/etc/kubernetes')).toContain('admin.conf');
  const path = `/etc/kubernetes/${LINK}/secret.conf`;
  expect(tree.readText(path)).toBeNull();
  expect(tree.exists(path)).toBe(false);
  expect(tree.isDir(`/etc/kubernetes/${LINK}`)).toBe(false);
  expect(tree.findings().map((f) => f.code)).not.toContain('unreadable');
});
