/** kdiff's public API: named exports only. */
export type * from './model/types.js';
export { scanTree } from './scan/index.js';
export { FileTree } from './source/file-tree.js';
export { openDirectory, InputError } from './source/open.js';
