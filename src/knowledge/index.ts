/** Kubernetes knowledge, as data in one place: components, flags, file references. Re-exports only. */
export * from './components.js';
export * from './flags.js';
export * from './file-refs.js';
