/**
 * The entry of an audit worker started by the bundled CLI (bin/kdiff.js runs dist/kdiff.bundle.cjs,
 * scripts/bundle.mjs): it loads the same bundle and V8 code cache instead of some 60 ES modules, so it
 * is ready in about half the time, then runs ./worker.js from it. CommonJS, as the bundle is.
 */
import { workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

/** Where the bundle is, as bin/kdiff.js found it (src/audit/audit.ts passes it on). */
interface BundleInfo {
  file: string;
  cache?: string;
  distUrl: string;
}

type BundleFactory = (
  nodeRequire: NodeJS.Require,
  dynamicImport: (spec: string) => Promise<unknown>,
  distUrl: string,
) => { importFrom: (spec: string, fromUrl: string) => Promise<unknown> };

const bundle = (workerData as { bundle: BundleInfo }).bundle;
let cachedData: Buffer | undefined;
try {
  cachedData = bundle.cache ? readFileSync(bundle.cache) : undefined;
} catch {
  cachedData = undefined;
}
// ASCII, as bin/kdiff.js checked before passing it on: latin1 reads the same text faster.
const script = new Script(readFileSync(bundle.file, 'latin1'), { filename: bundle.file, cachedData });
const entry = new URL('index.js', bundle.distUrl).href;
void (script.runInThisContext() as BundleFactory)(createRequire(entry), (spec) => import(spec), bundle.distUrl)
  .importFrom('./audit/worker.js', entry)
  .then(() => {
    if (process.env.KDIFF_BUNDLE_REPORT) {
      process.stderr.write(`kdiff: worker from the bundle, code cache ${script.cachedDataRejected === false ? 'accepted' : 'not used'}\n`);
    }
  });
