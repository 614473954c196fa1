/**
 * How much a difference matters: the differ's severity rule, as data (documented for users in
 * docs/kubeadm-vs-the-hard-way.md, "How kdiff grades a difference").
 *
 * - `security`: the flag guards the node (kdiff's knowledge has a verdict for it, or marks it
 *   security-relevant). Severity comes from the verdict on the RIGHT side, the node under review:
 *   right weaker -> the verdict's severity (error for AlwaysAllow, etcd without client certificate
 *   auth...); right stronger -> info; both weak -> right's verdict. A security-relevant value that no
 *   rule calls weak is a warning to review.
 * - `config`: any other value change. Behaviour-changing settings are warnings; the operational knobs
 *   below (log verbosity, log rotation, bootstrap-only and tuning settings) are info: they change how
 *   a component reports or tunes itself, not what it does.
 * - `layout`: where a file lives when both sides set it (info); the file's content compares by role.
 */

/** Flags that only tune or report, never change what a component does; any component. */
const OPERATIONAL_ANY = [
  // klog and component-base logging
  '--v', '--vmodule', '--logtostderr', '--alsologtostderr', '--log-dir', '--log-file', '--log-file-max-size',
  '--log-flush-frequency', '--stderrthreshold', '--one-output', '--skip-headers', '--skip-log-headers',
  '--add-dir-header', '--logging-format', '--log-backtrace-at', '--log-text-split-stream', '--log-json-split-stream',
  // leader election timing
  '--leader-elect-lease-duration', '--leader-elect-renew-deadline', '--leader-elect-retry-period',
];

const OPERATIONAL_BY_COMPONENT: Record<string, readonly string[]> = {
  'kube-apiserver': [
    // how many apiservers share the endpoint reconciler: a count of peers, not a setting of this one
    '--apiserver-count',
    '--event-ttl',
    '--audit-log-maxage', '--audit-log-maxbackup', '--audit-log-maxsize', '--audit-log-format', '--audit-log-compress',
    '--audit-log-batch-buffer-size', '--audit-log-batch-max-size', '--audit-log-batch-max-wait',
  ],
  etcd: [
    // read only when the member first starts; a running member keeps what it was bootstrapped with
    '--initial-cluster', '--initial-cluster-state', '--initial-cluster-token',
    '--snapshot-count', '--heartbeat-interval', '--election-timeout', '--log-level', '--logger', '--log-outputs', '--debug',
  ],
  kubelet: ['--node-status-update-frequency', '--node-status-report-frequency'],
};

/** True for a flag whose difference is an operational knob (config, info). */
export function isOperational(component: string | null, flag: string): boolean {
  const name = flag.replace(/_/g, '-');
  if (OPERATIONAL_ANY.includes(name)) return true;
  return component !== null && (OPERATIONAL_BY_COMPONENT[component] ?? []).includes(name);
}

/** Bootstrap-only etcd flags: the message says why they may rightly differ. */
export function isBootstrapOnly(component: string | null, flag: string): boolean {
  return component === 'etcd' && flag.startsWith('--initial-cluster');
}

/**
 * etcd's --initial-cluster names every member: each member of one cluster lists the same ones, so it
 * is compared as written. Replacing the node's own entry would make each member's list look unlike
 * the others'; a one-member list is the node itself and is compared with its identity replaced.
 */
export function listsMembers(component: string, flag: string, value: string): boolean {
  return component === 'etcd' && flag === '--initial-cluster' && value.includes(',');
}
