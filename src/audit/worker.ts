/**
 * A worker thread of a fleet audit: reads nodes and compares each with the reference model it was
 * started with, and sends back only each node's differences (never its model), so what crosses
 * threads and what the main thread keeps stays small however large the fleet.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Difference, NodeModel } from '../model/types.js';
import { loadNode } from '../scan/node-input.js';
import { createDiffMemo, diffNodes } from '../diff/index.js';
import type { WorkerDiffOptions, WorkerSource } from './audit.js';

export interface WorkerInit {
  reference: { label: string; model: NodeModel };
  diff: WorkerDiffOptions;
}

export interface WorkerJob {
  id: number;
  items: { index: number; label: string; source: WorkerSource }[];
}

export interface WorkerResult {
  index: number;
  style?: NodeModel['style'];
  role?: NodeModel['role'];
  differences?: Difference[];
  error?: string;
}

// A worker the launcher started early (bin/kdiff.js) is told its reference in a first message.
let init = (workerData as Partial<WorkerInit>).reference ? (workerData as WorkerInit) : undefined;
const port = parentPort!;
// The reference is the same for every node: its settings are worked out once.
const memo = createDiffMemo();

// Jobs run one after the other: the second one queued is what keeps this thread busy while the
// main thread has not yet sent the next (it may be handling another worker's answers).
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: WorkerJob | { init: WorkerInit }) => {
  if ('init' in message) {
    init = message.init;
    return;
  }
  const job = message;
  const { reference, diff } = init!;
  queue = queue.then(async () => {
    const results: WorkerResult[] = [];
    for (const item of job.items) {
      try {
        const { path, ...scan } = item.source;
        const model = await loadNode(path, scan);
        const report = diffNodes(reference.model, model, {
          labels: { left: reference.label, right: item.label },
          ...diff,
          memo,
        });
        results.push({ index: item.index, style: model.style, role: model.role, differences: report.differences });
      } catch (err) {
        results.push({ index: item.index, error: (err as Error).message });
      }
    }
    port.postMessage({ id: job.id, results });
  });
});
