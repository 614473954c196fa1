/**
 * The entry of an audit worker started by the bundled CLI (bin/kdiff.js runs dist/kdiff.bundle.cjs,
 * scripts/bundle.mjs): it loads the same bundle and V8 code cache instead of some 60 ES modules, so it
 * is ready in about half the time, then runs ./worker.js from it. CommonJS, as the bundle is.
 */
import { workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

/** Where the bundle is, as bin/kdiff.js found it (src/audit/audit.ts passes it on): see its bundleInfo. */
interface BundleInfo {
  file: string;
  cache?: string;
  tunedCache?: string;
  tuned?: Int32Array;
  distUrl: string;
}

type BundleFactory = (
  nodeRequire: NodeJS.Require,
  dynamicImport: (spec: string) => Promise<unknown>,
  distUrl: string,
) => { importFrom: (spec: string, fromUrl: string) => Promise<unknown> };

const bundle = (workerData as { bundle: BundleInfo }).bundle;
// ASCII, as bin/kdiff.js checked before passing it on: latin1 reads the same text faster.
const source = readFileSync(bundle.file, 'latin1');

/** Whether the audit has set its V8 flags (bin/kdiff.js V8_FLAGS) yet. */
function tuned(): boolean {
  return bundle.tuned !== undefined && Atomics.load(bundle.tuned, 0) === 1;
}

/** The bundle, with the code cache made under the V8 flags in force: V8 accepts no other. */
function compile(tunedNow: boolean): Script {
  const cacheFile = tunedNow ? bundle.tunedCache : bundle.cache;
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  return new Script(source, { filename: bundle.file, cachedData });
}

const before = tuned();
let script = compile(before);
// The audit set its flags between the choice and the load (a worker the launcher started early
// loads about when the audit starts reading): the other cache is the one V8 takes now.
if (script.cachedDataRejected === true && !before && tuned()) script = compile(true);
const entry = new URL('index.js', bundle.distUrl).href;
void (script.runInThisContext() as BundleFactory)(createRequire(entry), (spec) => import(spec), bundle.distUrl)
  .importFrom('./audit/worker.js', entry)
  .then(() => {
    if (process.env.KDIFF_BUNDLE_REPORT) {
      process.stderr.write(`kdiff: worker from the bundle, code cache ${script.cachedDataRejected === false ? 'accepted' : 'not used'}\n`);
    }
  });
