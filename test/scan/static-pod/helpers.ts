/** Small builders shared by the scan tests. */
import { FileTree } from '../../../src/source/file-tree.js';
import { MemoryBackend } from '../../../src/source/memory.js';
import { openDirectory } from '../../../src/source/open.js';
import type { Component, Flag } from '../../../src/model/types.js';

/** A node tree in memory: path -> text (or bytes); `{ link: target }` for a symlink; `{ dir: true }`. */
export function memTree(files: Record<string, string | Buffer | { link: string } | { dir: true }>): FileTree {
  const backend = new MemoryBackend();
  for (const [path, content] of Object.entries(files)) {
    if (typeof content === 'string') backend.add(path, { kind: 'file', data: Buffer.from(content, 'utf8') });
    else if (Buffer.isBuffer(content)) backend.add(path, { kind: 'file', data: content });
    else if ('link' in content) backend.add(path, { kind: 'symlink', target: content.link });
    else backend.add(path, { kind: 'dir' });
  }
  return new FileTree('memory', backend);
}

export function corpusTree(relative: string): FileTree {
  return openDirectory(`fixtures/corpus/${relative}`).tree;
}

export function fixtureTree(relative: string): FileTree {
  return openDirectory(`fixtures/${relative}`).tree;
}

/** The value the component uses for a flag (the last occurrence). */
export function flagValue(c: Component | undefined, name: string): string | undefined {
  const all = (c?.flags ?? []).filter((f) => f.name === name);
  return all.length > 0 ? all[all.length - 1].value : undefined;
}

export function flagOf(c: Component | undefined, name: string): Flag | undefined {
  return (c?.flags ?? []).filter((f) => f.name === name).pop();
}

/** A systemd daemon the way the systemd scanner reports one (tests of assembly do not depend on its parser). */
export function daemon(name: string, binary: string, flags: [string, string][], extra: Partial<Component> = {}): Component {
  const unit = `/etc/systemd/system/${name}.service`;
  return {
    name,
    runMode: 'systemd',
    sources: [unit],
    image: null,
    binary,
    version: null,
    enabled: true,
    unit: `${name}.service`,
    flags: flags.map(([n, v], i) => ({ name: n, value: v, source: `${unit}:${i + 2}` })),
    ...extra,
  };
}
