import { FileTree } from '../../../src/source/file-tree.js';
import { MemoryBackend } from '../../../src/source/memory.js';

/** A node tree in memory: a string is a file, `{ link }` a symlink. */
export function memTree(entries: Record<string, string | { link: string }>): FileTree {
  const b = new MemoryBackend();
  for (const [path, e] of Object.entries(entries)) {
    if (typeof e === 'string') b.add(path, { kind: 'file', data: Buffer.from(e, 'utf8') });
    else b.add(path, { kind: 'symlink', target: e.link });
  }
  return new FileTree('memory', b);
}
