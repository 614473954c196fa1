/**
 * A file the tree saw as regular (by its listing or lstat) can be swapped for a device node before
 * it is opened. Whatever the device gives a read (all it was asked for, nothing, or a short record
 * such as /dev/kmsg's kernel log line), not one byte of it may be taken for the file's content.
 */
import { existsSync } from 'node:fs';
import { DirectoryBackend } from '../../src/source/directory.js';

describe('DirectoryBackend.read of a character device', () => {
  it('refuses a device whose read comes back short (the kernel log) without reading it', () => {
    // /dev/kmsg answers a positioned read with one log record, far less than asked for: a short
    // read, which the one-read path took for a whole small file.
    const got = new DirectoryBackend('/dev').read(['kmsg']);
    expect(Buffer.isBuffer(got)).toBe(false);
    if (existsSync('/dev/kmsg')) expect(got).toEqual({ error: 'not a regular file' });
  });

  it('refuses devices that fill the buffer or read as empty, with the same words', () => {
    const b = new DirectoryBackend('/dev');
    for (const name of ['null', 'zero', 'random', 'full']) {
      if (!existsSync(`/dev/${name}`)) continue;
      expect([name, b.read([name])]).toEqual([name, { error: 'not a regular file' }]);
      expect([name, b.keyed.read(name, 10)]).toEqual([name, { error: 'not a regular file' }]);
    }
  });
});
