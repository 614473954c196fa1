/**
 * kdiff as a library: read nodes, compare them, audit a fleet, render reports.
 *
 * Nothing here prints, reads the terminal or exits the process: every function returns a value
 * or rejects with an error (an {@link InputError} when an input cannot be read at all). Colour is
 * off unless asked for. See docs/library.md for runnable examples.
 */
import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import type { AuditReport, DiffCategory, DiffReport, NodeModel } from './model/types.js';
import type { ScanOptions } from './scan/types.js';
import { InputError } from './source/open.js';
import { loadNode } from './scan/node-input.js';
import { loadSnapshotModel } from './source/snapshot.js';
import { createDiffMemo, diffNodes as diffModels, type DiffOptions } from './diff/index.js';
import { diffSnapshots as diffEtcdSnapshots, type EtcdDiff } from './etcd/diff.js';
import type { EtcdSnapshot } from './etcd/snapshot.js';
import { normalizedView } from './diff/view.js';
import { runAudit, type AuditInput } from './audit/audit.js';
import { applyIgnoreRules, DEFAULT_FAIL_ON, filterReport as filterWithRules, type IgnoreRule } from './audit/rules.js';
import { formatReport as formatDiffReport } from './report/index.js';
import { reportAsAudit } from './report/ci-common.js';
import { renderJunit } from './report/junit.js';
import { renderSarif } from './report/sarif.js';
import { NO_PAINT, renderAuditMarkdown, renderAuditText } from './report/audit-text.js';

/** Options of {@link scanNode}. */
export interface ScanNodeOptions extends ScanOptions {
  /** How to name the input in error messages; default the path as given. */
  label?: string;
}

/** The one place that turns a path into a model; every API function that takes a path comes here. */
function openNode(path: string, options: ScanNodeOptions): Promise<NodeModel> {
  return loadNode(path, options);
}

/**
 * Reads one node into the normalized model.
 *
 * @param input - A path: a node's filesystem root (holds `etc/`, `var/`, `usr/` ...), an
 *   `/etc/kubernetes` directory, a systemd unit directory, or a snapshot written by
 *   `kdiff scan --format json` (archives, `.tar`/`.tar.gz`, once the archive reader lands).
 * @param options - `now` and `expiringDays` set the clock and window used for certificate status;
 *   `label` names the input in error messages.
 * @returns The node's model. Files that fail to parse do not reject: they become `findings`.
 * @throws {@link InputError} when the path is missing, unreadable, or not a node input at all.
 *
 * @example
 * ```ts
 * const node = await scanNode('fixtures/seed-kubeadm-master');
 * console.log(node.style, node.components.map((c) => c.name));
 * ```
 */
export async function scanNode(input: string, options: ScanNodeOptions = {}): Promise<NodeModel> {
  return openNode(input, options);
}

/**
 * Reads a snapshot written by `kdiff scan --format json` (`{"kdiff": "snapshot", "schemaVersion": 1, "node": ...}`).
 *
 * @returns The snapshot's node, with lists the differ needs filled in when missing.
 * @throws {@link InputError} when the file is missing, too large, not JSON, or not a version 1 snapshot.
 */
export async function loadSnapshot(path: string): Promise<NodeModel> {
  return loadSnapshotModel(path);
}

/** A node for {@link auditNodes}: a path, a model (labelled `node-1`, `node-2` ... by position), or both named. */
export type AuditNodeInput = string | NodeModel | { label: string; model: NodeModel };

/** Options of {@link auditNodes}. */
export interface AuditNodesOptions {
  /** The approved node (a path or a model); without it every node is compared with the majority. */
  baseline?: string | NodeModel | { label: string; model: NodeModel };
  /** kdiff.yaml ignore rules (see {@link parseConfig}); rules past their `until` day stop applying. */
  ignore?: readonly IgnoreRule[];
  /** Replace each node's own name and addresses with `<node-name>` / `<node-ip>`. Default true. */
  normalizeIdentity?: boolean;
  /** Today, for certificate expiry and ignore rules' `until`. Default: the current time. */
  now?: Date;
  /** A certificate expiring within this many days counts as expiring. Default 30. */
  expiringDays?: number;
  /** Called after each node is read and compared. */
  onProgress?: (done: number, total: number) => void;
  /** How many nodes are read at once against a baseline. Default 4. */
  concurrency?: number;
  /**
   * Worker threads reading and comparing nodes given as paths: by default, once there are 50 nodes
   * or more, one per core but one while the calling thread reads nodes too (fleets of up to 1,024
   * nodes), else one per core; 0 for none, a number to force that many.
   */
  workers?: number;
}

function isLabelled(x: unknown): x is { label: string; model: NodeModel } {
  return typeof x === 'object' && x !== null && typeof (x as { label?: unknown }).label === 'string' && typeof (x as { model?: unknown }).model === 'object';
}

function auditInput(node: AuditNodeInput, index: number, options: ScanNodeOptions): AuditInput {
  if (typeof node === 'string') return { label: node, load: () => openNode(node, options), source: { path: node, ...options } };
  if (isLabelled(node)) return { label: node.label, load: async () => node.model };
  return { label: `node-${index + 1}`, load: async () => node };
}

/**
 * Audits many nodes: each against a baseline, or, without one, against the fleet's majority
 * (for every setting, the value most nodes have).
 *
 * A node that cannot be read does not reject the whole audit: it is reported with `error` set and
 * counted in `summary.unreadable`. A baseline that cannot be read rejects.
 *
 * @example
 * ```ts
 * const audit = await auditNodes(['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller'],
 *   { baseline: 'fixtures/seed-kubeadm-master' });
 * console.log(audit.summary.drifted);
 * ```
 */
export async function auditNodes(nodes: readonly AuditNodeInput[], options: AuditNodesOptions = {}): Promise<AuditReport> {
  const now = options.now ?? new Date();
  const scanOptions: ScanNodeOptions = { ...(options.now ? { now: options.now } : {}), ...(options.expiringDays !== undefined ? { expiringDays: options.expiringDays } : {}) };
  let baseline: { label: string; model: NodeModel } | undefined;
  const b = options.baseline;
  if (typeof b === 'string') baseline = { label: b, model: await openNode(b, scanOptions) };
  else if (isLabelled(b)) baseline = b;
  else if (b) baseline = { label: 'baseline', model: b };
  const rules = options.ignore ?? [];
  const memo = createDiffMemo();
  return runAudit(
    nodes.map((n, i) => auditInput(n, i, scanOptions)),
    {
      baseline,
      diff: (l, r, labels, sides) =>
        diffNodes(l, r, {
          labels,
          sides,
          memo,
          normalizeIdentity: options.normalizeIdentity,
          ...(options.now ? { now: options.now } : {}),
          ...(options.expiringDays !== undefined ? { expiringDays: options.expiringDays } : {}),
        }),
      filter: rules.length > 0 ? (ds) => applyIgnoreRules({ differences: ds }, rules, now).report.differences : undefined,
      onProgress: options.onProgress,
      concurrency: options.concurrency,
      workerDiff: {
        ...(options.normalizeIdentity !== undefined ? { normalizeIdentity: options.normalizeIdentity } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.expiringDays !== undefined ? { expiringDays: options.expiringDays } : {}),
      },
      workers: options.workers,
    },
  );
}

/** Every format {@link formatReport} writes. `unified` is for two-node reports only. */
export type OutputFormat = 'text' | 'json' | 'markdown' | 'unified' | 'junit' | 'sarif';

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** Colour level for text and unified output (chalk's: 0 none, 1 basic, 2 256 colours, 3 truecolor). Default 0. */
  color?: 0 | 1 | 2 | 3;
  /** The two nodes of a report, so `unified` can show each differing component's whole normalized settings. */
  nodes?: { left: NodeModel; right: NodeModel };
  /** As given to {@link diffNodes}; only used with `nodes`. Default true. */
  normalizeIdentity?: boolean;
  /** JUnit and SARIF: categories whose differences fail (the rest are notes). Default: all but `layout`. */
  failOn?: readonly DiffCategory[];
  /** JUnit and SARIF: the tool version recorded. Default: this package's version. */
  version?: string;
}

let packageVersion: string | undefined;

function ownVersion(): string {
  if (packageVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
      packageVersion = pkg.version ?? '0.0.0';
    } catch {
      packageVersion = '0.0.0';
    }
  }
  return packageVersion;
}

/**
 * Renders a two-node report ({@link diffNodes}) or an audit ({@link auditNodes}) in a format,
 * chosen by the report's `kdiff` field. The `json` format is the documented contract
 * (docs/schema/report.schema.json, docs/schema/audit.schema.json), 2-space indented with a
 * trailing newline, exactly as the CLI writes it.
 *
 * @throws Error for an unknown format, and for `unified` of an audit.
 */
export function formatReport(report: DiffReport | AuditReport, format: OutputFormat = 'text', options: FormatOptions = {}): string {
  const level = options.color ?? 0;
  const ci = { failOn: options.failOn ?? DEFAULT_FAIL_ON, version: options.version ?? ownVersion() };
  if (report.kdiff === 'audit') {
    switch (format) {
      case 'json':
        return JSON.stringify(report, null, 2) + '\n';
      case 'text':
        return renderAuditText(report, level === 0 ? NO_PAINT : new Chalk({ level }));
      case 'markdown':
        return renderAuditMarkdown(report);
      case 'junit':
        return renderJunit(report, ci);
      case 'sarif':
        return renderSarif(report, ci);
      case 'unified':
        throw new Error('the unified format shows two nodes; an audit has many (use text, json, markdown, junit or sarif)');
      default:
        throw new Error(`unknown report format: ${String(format)}`);
    }
  }
  if (report.kdiff !== 'report') throw new Error(`not a kdiff report or audit (kdiff: ${String((report as { kdiff?: unknown }).kdiff)})`);
  switch (format) {
    case 'junit':
      return renderJunit(reportAsAudit(report), ci);
    case 'sarif':
      return renderSarif(reportAsAudit(report), ci);
    case 'text':
    case 'json':
    case 'markdown':
    case 'unified': {
      const n = options.nodes;
      const views =
        format === 'unified' && n
          ? {
              left: normalizedView(n.left, { normalizeIdentity: options.normalizeIdentity }),
              right: normalizedView(n.right, { normalizeIdentity: options.normalizeIdentity }),
            }
          : undefined;
      const colour = format === 'text' || format === 'unified' ? level : 0;
      return formatDiffReport(report, format, { chalk: new Chalk({ level: colour }), views });
    }
    default:
      throw new Error(`unknown report format: ${String(format)}`);
  }
}

/**
 * A report with kdiff.yaml ignore rules applied: matching differences dropped, the summary
 * recomputed, and `ignored` recording how many rules, how many differences, and which rules had
 * expired (an expired rule no longer applies).
 *
 * @param now - Today, for rules' `until`; default the current time.
 */
export function filterReport(report: DiffReport, rules: readonly IgnoreRule[], now: Date = new Date()): DiffReport {
  return filterWithRules(report, rules, now);
}

/**
 * How two nodes differ in what they do: components paired by name, flags by canonical name (and
 * config-file fields as the flags they mirror), certificates and kubeconfigs by the role they play,
 * so kubeadm's `/etc/kubernetes/pki/apiserver.crt` meets the hard way's
 * `/var/lib/kubernetes/kubernetes.pem`. Pure: no I/O.
 *
 * @param options - `labels` name the two sides in the report (default `left` / `right`);
 *   `normalizeIdentity: false` compares node names and addresses as they are; `now` and
 *   `expiringDays` recompute certificate status from the dates.
 * @returns The report, differences sorted, with a summary by category and severity.
 *
 * @example
 * ```ts
 * const report = diffNodes(await scanNode('a'), await scanNode('b'), { labels: { left: 'a', right: 'b' } });
 * ```
 */
export function diffNodes(left: NodeModel, right: NodeModel, options: DiffOptions = {}): DiffReport {
  return diffModels(left, right, options);
}

/**
 * Keys added, removed and changed between two etcd snapshots, per Kubernetes resource (latest
 * revision of each key; deleted keys left out). Values are never copied into the result.
 *
 * @param left - Read with `readEtcdSnapshot(bytes, { keys: true })`; without `keys` there is nothing to compare.
 * @param right - Likewise.
 * @param labels - How the two sides are named; default `['left', 'right']`.
 */
export function diffSnapshots(left: EtcdSnapshot, right: EtcdSnapshot, labels: [string, string] = ['left', 'right']): EtcdDiff {
  return diffEtcdSnapshots(left, right, labels);
}

export type { DiffOptions };
