/**
 * Fleet audits: every node against a baseline, or, without one, against the fleet's own majority.
 * Nodes stream through one at a time: only each node's differences are kept, never its model, so
 * memory stays flat with the size of the fleet.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AuditNode, AuditReport, Difference, DiffReport, NodeModel } from '../model/types.js';
import type { SideWords } from '../diff/types.js';
import type { WorkerInit, WorkerJob, WorkerResult } from './worker.js';
import { compareText } from '../util/compare.js';

/** One node to audit: a label (the path as given) and how to read it. */
export interface AuditInput {
  label: string;
  load: () => Promise<NodeModel>;
  /** The same read as `load`, as data a worker thread can repeat; without it the node is read on the main thread. */
  source?: WorkerSource;
}

/** A node path and the scan options `loadNode` takes (src/scan/node-input.ts). */
export interface WorkerSource {
  path: string;
  label?: string;
  now?: Date;
  expiringDays?: number;
}

/** The same comparison as `diff`, as data a worker thread can repeat (options of diffNodes). */
export interface WorkerDiffOptions {
  normalizeIdentity?: boolean;
  sides?: SideWords;
  now?: Date;
  expiringDays?: number;
}

/** Fewer nodes than this are audited on the main thread: starting workers costs more than it saves. */
export const PARALLEL_MIN_NODES = 50;

/**
 * Up to this many nodes the main thread reads nodes too, beside one worker per core but one: it needs
 * no start-up of its own, so the audit spares a worker's (~40 ms of CPU and its warm-up). Beyond, one
 * worker per core reads and this thread only hands out nodes: its heap is not bounded like a worker's
 * (V8 grows its young generation with what goes through it), so reading thousands of nodes here would
 * grow the audit's memory with the fleet (docs/performance.md).
 */
export const MAIN_THREAD_MAX_NODES = 1024;

/**
 * Compares the reference (left) with one node (right). `sides` are the words messages should use
 * for them (diffNodes' option of that name): the engine passes {@link BASELINE_SIDES} or
 * {@link MAJORITY_SIDES}.
 */
export type DiffFn = (left: NodeModel, right: NodeModel, labels: { left: string; right: string }, sides: SideWords) => DiffReport;

/** An audit's messages speak of the baseline and this node, not of left and right. */
export const BASELINE_SIDES: SideWords = Object.freeze({ left: 'the baseline', right: 'this node' });
/** Without a baseline, the reference value is the one most nodes have. */
export const MAJORITY_SIDES: SideWords = Object.freeze({ left: 'the majority', right: 'this node' });

export interface AuditEngineOptions {
  diff: DiffFn;
  /** The approved node; without it the fleet's majority is the reference. */
  baseline?: { label: string; model: NodeModel };
  /** Filters each node's differences (ignore rules); identity by default. */
  filter?: (differences: Difference[]) => Difference[];
  onProgress?: (done: number, total: number) => void;
  /** How many nodes are read at once. */
  concurrency?: number;
  /** What `diff` does, as data: with it (and a `source` on every input), many nodes are read in worker threads. */
  workerDiff?: WorkerDiffOptions;
  /**
   * Worker threads reading nodes: by default, once there are PARALLEL_MIN_NODES nodes, one per core
   * but one while this thread reads too (up to MAIN_THREAD_MAX_NODES nodes), else one per core (up to
   * 8); a number forces that many (0: none, this thread reads every node).
   */
  workers?: number;
  /** Up to how many nodes this thread reads nodes beside the workers; default MAIN_THREAD_MAX_NODES. */
  mainThreadMaxNodes?: number;
}

function sidesOf(options: AuditEngineOptions): SideWords {
  return options.baseline ? BASELINE_SIDES : MAJORITY_SIDES;
}

interface NodeResult {
  label: string;
  style: AuditNode['style'];
  role: AuditNode['role'];
  differences: Difference[];
  error?: string;
}

/** Serializes with sorted object keys, so equal values give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}

function diffId(d: Difference): string {
  return `${d.component ?? ''}\u0000${d.subject}\u0000${d.key}`;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Compares each node with a reference model; a node that cannot be read is reported, not fatal. */
async function compareAll(
  inputs: readonly AuditInput[],
  reference: { label: string; model: NodeModel } | undefined,
  options: AuditEngineOptions,
  offset: number,
  total: number,
): Promise<{ results: NodeResult[]; firstModel?: { label: string; model: NodeModel } }> {
  let done = offset;
  let ref = reference;
  const results = await mapLimit(inputs, ref ? (options.concurrency ?? 4) : 1, async (input) => {
    let result: NodeResult;
    try {
      const model = await input.load();
      if (!ref) ref = { label: input.label, model };
      const report = options.diff(ref.model, model, { left: ref.label, right: input.label }, sidesOf(options));
      result = { label: input.label, style: model.style, role: model.role, differences: report.differences };
    } catch (err) {
      result = { label: input.label, style: 'unknown', role: 'unknown', differences: [], error: (err as Error).message };
    }
    options.onProgress?.(++done, total);
    return result;
  });
  return { results, firstModel: ref };
}

/** The worker script beside this module, when it is there (it is not when running from the TypeScript sources). */
function workerScript(): string | null {
  const url = new URL('./worker.js', import.meta.url);
  if (url.protocol !== 'file:') return null;
  const path = fileURLToPath(url);
  return existsSync(path) ? path : null;
}

/** Set by bin/kdiff.js when it runs the one-script bundle (scripts/bundle.mjs); read by bundle-boot.cts. */
interface BundleInfo {
  file: string;
  cache?: string;
  tunedCache?: string;
  tuned?: Int32Array;
  distUrl: string;
}

/**
 * A worker's heap: a small young generation, collected often, keeps a worker's memory flat from the
 * first hundred nodes on (V8's default lets it grow with the fleet); the old generation is bounded so
 * a pathological node costs a worker (its chunk is read again on the main thread), not the machine.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/** A worker bin/kdiff.js started before the audit knew it wanted one (its prestartAuditWorker). */
interface PrestartedWorker {
  worker: import('node:worker_threads').Worker;
  bundle: BundleInfo;
  limits: typeof WORKER_LIMITS;
  exited: boolean;
}

const PRESTARTED = Symbol.for('kdiff.prestarted-worker');

/** The launcher's early worker, once: null when there is none, or it is not one this audit would start. */
function takePrestarted(): import('node:worker_threads').Worker | null {
  const slot = globalThis as Record<symbol, PrestartedWorker | undefined>;
  const early = slot[PRESTARTED];
  if (!early) return null;
  delete slot[PRESTARTED];
  const bundle = slot[Symbol.for('kdiff.bundle')] as BundleInfo | undefined;
  const same =
    !early.exited &&
    bundle?.file === early.bundle.file &&
    early.limits.maxYoungGenerationSizeMb === WORKER_LIMITS.maxYoungGenerationSizeMb &&
    early.limits.maxOldGenerationSizeMb === WORKER_LIMITS.maxOldGenerationSizeMb;
  if (!same) {
    void early.worker.terminate();
    return null;
  }
  early.worker.ref();
  return early.worker;
}

/** Ends the launcher's early worker when this audit wants none. */
function discardPrestarted(): void {
  takePrestarted()?.terminate();
}

/**
 * A worker of the bundled CLI starts from the bundle (bundle-boot.cts, beside this module), others
 * from worker.js; the launcher's early worker, when there is one, is told the reference instead.
 */
function startWorker(Worker: typeof import('node:worker_threads').Worker, script: string, init: WorkerInit): import('node:worker_threads').Worker {
  const bundle = (globalThis as Record<symbol, BundleInfo | undefined>)[Symbol.for('kdiff.bundle')];
  const early = takePrestarted();
  if (early) {
    if (process.env.KDIFF_BUNDLE_REPORT) process.stderr.write('kdiff: audit worker started early by the launcher\n');
    early.postMessage({ init });
    return early;
  }
  const boot = bundle ? new URL('./bundle-boot.cjs', import.meta.url) : null;
  if (bundle && boot?.protocol === 'file:') return new Worker(boot, { workerData: { ...init, bundle }, resourceLimits: WORKER_LIMITS });
  return new Worker(script, { workerData: init, resourceLimits: WORKER_LIMITS });
}

/** How many workers read the nodes, and whether this thread reads some too (see MAIN_THREAD_MAX_NODES). */
function workerPlan(inputs: readonly AuditInput[], options: AuditEngineOptions): { workers: number; mainReads: boolean } {
  const mainReads = inputs.length <= (options.mainThreadMaxNodes ?? MAIN_THREAD_MAX_NODES);
  if (!options.workerDiff || inputs.length === 0 || !inputs.every((i) => i.source)) return { workers: 0, mainReads };
  if (options.workers !== undefined) return { workers: options.workers >= 1 ? Math.min(Math.floor(options.workers), 16) : 0, mainReads };
  if (inputs.length < PARALLEL_MIN_NODES) return { workers: 0, mainReads };
  const cores = availableParallelism();
  return { workers: mainReads ? Math.min(cores - 1, 7) : Math.min(cores, 8), mainReads };
}

/**
 * Compares nodes with a reference on `threads` worker threads, and on this one too when `mainReads`.
 * Nodes go out in chunks to whichever reader is free (a worker holds two, so it never waits on this
 * thread), smaller as the end nears so the readers finish together; only each node's differences
 * come back. A worker that dies has its chunks read here instead, so a crash costs time, never a node.
 */
async function compareInWorkers(
  inputs: readonly AuditInput[],
  reference: { label: string; model: NodeModel },
  options: AuditEngineOptions,
  threads: number,
  mainReads: boolean,
  script: string,
  progress: () => void,
): Promise<NodeResult[]> {
  const { Worker } = await import('node:worker_threads');
  const results: NodeResult[] = new Array(inputs.length);
  const init: WorkerInit = { reference, diff: { ...options.workerDiff, sides: sidesOf(options) } };
  const readers = threads + (mainReads ? 1 : 0);
  const leftOver: number[][] = [];
  let next = 0;
  /** The next nodes to hand out, at most `max`: a share of what is left, so the last chunks are small. */
  const take = (max: number): number[] | null => {
    const left = inputs.length - next;
    if (left <= 0) return null;
    const size = Math.min(left, max, Math.ceil(left / (readers * 4)));
    const chunk = Array.from({ length: size }, (_, k) => next + k);
    next += size;
    return chunk;
  };
  const local = { ...options, onProgress: undefined };
  const runHere = async (chunk: number[]): Promise<void> => {
    const { results: rs } = await compareAll(chunk.map((i) => inputs[i]), reference, local, 0, 0);
    chunk.forEach((index, k) => {
      results[index] = rs[k];
      progress();
    });
  };
  const runWorker = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = startWorker(Worker, script, init);
      const inFlight = new Map<number, number[]>();
      let jobs = 0;
      let answered = false;
      const send = (): void => {
        // Small until it answers: a worker starts later than this thread and cold, so what it is
        // handed first must not be what everyone else ends up waiting for.
        const chunk = take(answered ? 16 : 4);
        if (chunk === null) {
          if (inFlight.size === 0) {
            // Done: this audit need not wait for the thread to wind down.
            void worker.terminate();
            resolve();
          }
          return;
        }
        const id = jobs++;
        inFlight.set(id, chunk);
        const job: WorkerJob = { id, items: chunk.map((index) => ({ index, label: inputs[index].label, source: inputs[index].source! })) };
        worker.postMessage(job);
      };
      worker.on('message', (done: { id: number; results: WorkerResult[] }) => {
        answered = true;
        inFlight.delete(done.id);
        for (const r of done.results) {
          const label = inputs[r.index].label;
          results[r.index] =
            r.error !== undefined
              ? { label, style: 'unknown', role: 'unknown', differences: [], error: r.error }
              : { label, style: r.style!, role: r.role!, differences: r.differences ?? [] };
          progress();
        }
        send();
      });
      worker.on('error', () => undefined);
      worker.on('exit', () => {
        leftOver.push(...inFlight.values());
        inFlight.clear();
        resolve();
      });
      send();
      send();
    });
  const runMain = async (): Promise<void> => {
    // Small chunks: the workers' answers, and so their next chunks, wait for this thread between them.
    for (let chunk = take(4); chunk !== null; chunk = take(4)) {
      await runHere(chunk);
      await new Promise((r) => setImmediate(r));
    }
  };
  const workers = Array.from({ length: Math.min(threads, inputs.length) }, runWorker);
  await Promise.all(mainReads ? [...workers, runMain()] : workers);
  // Chunks a worker did not finish (it crashed, ran out of memory or could not start) and any no
  // worker was left to take: read here.
  for (let chunk = take(16); chunk !== null; chunk = take(16)) leftOver.push(chunk);
  for (const chunk of leftOver) await runHere(chunk);
  return results;
}

/** compareAll, in worker threads when there are many nodes and the inputs allow it. */
async function compareFleet(
  inputs: readonly AuditInput[],
  reference: { label: string; model: NodeModel } | undefined,
  options: AuditEngineOptions,
): Promise<{ results: NodeResult[]; firstModel?: { label: string; model: NodeModel } }> {
  // The CLI's launcher sets V8 flags for a long run (bin/kdiff.js tuneForAudit) now, with this
  // thread's code loaded and before it reads nodes; a library caller has none set.
  (globalThis as Record<symbol, (() => void) | undefined>)[Symbol.for('kdiff.tune-for-audit')]?.();
  const plan = workerPlan(inputs, options);
  const script = plan.workers >= 1 ? workerScript() : null;
  if (!script) {
    discardPrestarted();
    return compareAll(inputs, reference, options, 0, inputs.length);
  }
  const total = inputs.length;
  let done = 0;
  const progress = (): void => options.onProgress?.(++done, total);
  let head: NodeResult[] = [];
  let ref = reference;
  if (!ref) {
    // Majority mode: the first readable node is the provisional reference, read here first.
    let k = 0;
    while (k < inputs.length && !ref) {
      const { results, firstModel } = await compareAll([inputs[k]], undefined, { ...options, onProgress: undefined }, 0, 0);
      head.push(results[0]);
      progress();
      ref = firstModel;
      k++;
    }
    if (!ref) {
      discardPrestarted();
      return { results: head };
    }
    inputs = inputs.slice(k);
  }
  const rest = inputs.length > 0 ? await compareInWorkers(inputs, ref, options, plan.workers, plan.mainReads, script, progress) : [];
  discardPrestarted();
  head = head.concat(rest);
  return { results: head, firstModel: ref };
}

/**
 * The majority view: per difference key, the value most nodes have wins; each node's drift is where
 * its value differs from that. `provisional` is the node every other was diffed against.
 */
export function majorityDrift(results: readonly NodeResult[], provisionalLabel: string): NodeResult[] {
  const readable = results.filter((r) => !r.error);
  const templates = new Map<string, Difference[]>();
  for (const r of readable) for (const d of r.differences) {
    const id = diffId(d);
    if (!templates.has(id)) templates.set(id, []);
    templates.get(id)!.push(d);
  }
  const ABSENT = '\u0000absent';
  const out = new Map<string, Difference[]>(readable.map((r) => [r.label, []]));
  for (const id of [...templates.keys()].sort()) {
    const first = templates.get(id)![0];
    const provisionalValue = first.change === 'added' ? ABSENT : stableStringify(first.left);
    const valueOf = (r: NodeResult): { key: string; raw: unknown; diff?: Difference } => {
      const d = r.differences.find((x) => diffId(x) === id);
      if (!d) return { key: provisionalValue, raw: first.change === 'added' ? undefined : first.left };
      return d.change === 'removed' ? { key: ABSENT, raw: undefined, diff: d } : { key: stableStringify(d.right), raw: d.right, diff: d };
    };
    const counts = new Map<string, number>();
    const values = readable.map((r) => ({ r, v: valueOf(r) }));
    for (const { v } of values) counts.set(v.key, (counts.get(v.key) ?? 0) + 1);
    // The most common value; ties go to the provisional node's, then to the smallest, for determinism.
    const majority = [...counts.entries()].sort(
      (a, b) => b[1] - a[1] || (a[0] === provisionalValue ? -1 : b[0] === provisionalValue ? 1 : compareText(a[0], b[0])),
    )[0][0];
    const majorityRaw = values.find((x) => x.v.key === majority)!.v.raw;
    for (const { r, v } of values) {
      if (v.key === majority) continue;
      if (v.diff && majority === provisionalValue) {
        out.get(r.label)!.push(v.diff);
        continue;
      }
      const template = v.diff ?? first;
      const change: Difference['change'] = majority === ABSENT ? 'added' : v.key === ABSENT ? 'removed' : 'changed';
      const what = `${template.component ? `${template.component} ` : ''}${template.key}`;
      const show = (x: unknown): string => (x === undefined ? 'absent' : typeof x === 'string' ? x : JSON.stringify(x));
      out.get(r.label)!.push({
        ...template,
        change,
        left: majority === ABSENT ? null : majorityRaw,
        right: v.key === ABSENT ? null : v.raw,
        message: `${what} is ${show(v.raw)} on this node but ${show(majority === ABSENT ? undefined : majorityRaw)} on most nodes.`,
      });
    }
  }
  void provisionalLabel;
  return results.map((r) => (r.error ? r : { ...r, differences: out.get(r.label) ?? [] }));
}

function sortDifferences(ds: Difference[]): Difference[] {
  return [...ds].sort((a, b) => compareText(diffId(a), diffId(b)) || compareText(a.change, b.change));
}

/** Audits nodes against a baseline or their majority. Never throws for one bad node. */
export async function runAudit(inputs: readonly AuditInput[], options: AuditEngineOptions): Promise<AuditReport> {
  const filter = options.filter ?? ((d: Difference[]) => d);
  let results: NodeResult[];
  if (options.baseline) {
    ({ results } = await compareFleet(inputs, options.baseline, options));
  } else {
    // The first readable node is the provisional reference; the majority is computed afterwards.
    const { results: all, firstModel } = await compareFleet(inputs, undefined, options);
    results = firstModel ? majorityDrift(all, firstModel.label) : all;
  }
  const nodes: AuditNode[] = results.map((r) => ({
    label: r.label,
    style: r.style,
    role: r.role,
    differences: sortDifferences(filter(r.differences)),
    ...(r.error ? { error: r.error } : {}),
  }));
  const unreadable = nodes.filter((n) => n.error).length;
  return {
    kdiff: 'audit',
    schemaVersion: 1,
    baseline: options.baseline ? { label: options.baseline.label } : null,
    nodes,
    summary: {
      nodes: nodes.length,
      drifted: nodes.filter((n) => n.differences.length > 0).length,
      differences: nodes.reduce((n, x) => n + x.differences.length, 0),
      ...(unreadable > 0 ? { unreadable } : {}),
    },
  };
}
