/**
 * Scans a node tree into the normalized model: systemd units, the kubelet's config file and static
 * pod path, static pods, component config files, then certificates and kubeconfigs, then the
 * node's style and role with the evidence for each.
 */
import type { Component, ConfigFile, Finding, NodeModel, NodeRole, NodeStyle } from '../model/types.js';
import type { FileTree } from '../source/file-tree.js';
import { joinNodePath } from '../source/file-tree.js';
import type { ScanOptions, SystemdScan } from './types.js';
import { scanSystemd } from './systemd/index.js';
import { collectReferences, scanCredentials } from './pki/index.js';
import { scanEtcdData } from './etcd-data.js';
import { scanStaticPods } from './static-pod/index.js';
import { lastFlag, loadConfigFile, scanConfigs } from './configs/index.js';
import { compareText } from '../util/compare.js';

const CONTROL_PLANE = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];
/** Where kubeadm points the kubelet; used when the kubelet (or its settings) cannot be found. */
export const DEFAULT_STATIC_POD_PATH = '/etc/kubernetes/manifests';

export interface StaticPodPathChoice {
  path: string;
  /** Why this path: one sentence. */
  reason: string;
  /** False when the kubelet was found and is given no static pod path at all. */
  configured: boolean;
}

/**
 * The kubelet's static pod path: an explicitly given `--pod-manifest-path` flag wins over the
 * config file's `staticPodPath` (kubelet flags override its config file), which is taken relative
 * to the config file's directory when relative.
 */
export function chooseStaticPodPath(kubelet: Component | undefined, kubeletConfig: ConfigFile | null): StaticPodPathChoice {
  const flag = kubelet ? lastFlag(kubelet, '--pod-manifest-path') : null;
  if (flag && flag.value !== '') {
    return { path: joinNodePath('/', flag.value), reason: `--pod-manifest-path=${flag.value} (${flag.source})`, configured: true };
  }
  const content = kubeletConfig?.content as Record<string, unknown> | undefined;
  const field = content && typeof content.staticPodPath === 'string' ? content.staticPodPath : '';
  if (kubeletConfig && field !== '') {
    const dir = kubeletConfig.path.split('/').slice(0, -1).join('/') || '/';
    const path = field.startsWith('/') ? joinNodePath(field) : joinNodePath(dir, field);
    return { path, reason: `staticPodPath: ${field} in ${kubeletConfig.path}`, configured: true };
  }
  if (!kubelet) return { path: DEFAULT_STATIC_POD_PATH, reason: `no kubelet unit found, so kubeadm's default ${DEFAULT_STATIC_POD_PATH}`, configured: true };
  const config = lastFlag(kubelet, '--config');
  if (config && config.value !== '' && !kubeletConfig) {
    // The settings file could not be read (missing, broken, refused): whether it names a static pod
    // path is unknown, which is not the same as naming none.
    return { path: DEFAULT_STATIC_POD_PATH, reason: `the kubelet's --config file ${config.value} could not be read, so kubeadm's default ${DEFAULT_STATIC_POD_PATH}`, configured: true };
  }
  return { path: DEFAULT_STATIC_POD_PATH, reason: 'the kubelet has neither --pod-manifest-path nor staticPodPath', configured: false };
}

function byName(a: Component, b: Component): number {
  return (
    compareText(a.name, b.name) ||
    compareText(a.runMode, b.runMode) ||
    compareText(a.sources[0] ?? '', b.sources[0] ?? '')
  );
}

function byPath(a: { path: string }, b: { path: string }): number {
  return compareText(a.path, b.path);
}

function findingKey(f: Finding): string {
  return `${f.path ?? ''}\u0000${String(f.line ?? 0).padStart(9, '0')}\u0000${f.code}\u0000${f.component ?? ''}\u0000${f.message}`;
}

/** Findings sorted by path, line and code, exact duplicates removed. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  // most nodes have one finding or none: nothing to key
  if (findings.length <= 1) return findings.slice();
  const unique = new Map<string, Finding>();
  for (const f of findings) {
    const key = findingKey(f);
    if (!unique.has(key)) unique.set(key, f);
  }
  return [...unique.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, f]) => f);
}

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function endingWith(paths: readonly string[], end: string): string | undefined {
  for (let i = 0; i < paths.length; i++) if (paths[i].endsWith(end)) return paths[i];
  return undefined;
}

/** Signs that kubeadm set up the kubelet (the only thing on a kubeadm worker's disk). */
function kubeadmKubeletEvidence(tree: FileTree, kubelet: Component | undefined): string[] {
  const out: string[] = [];
  if (kubelet) {
    const dropIn = endingWith(kubelet.sources, '/10-kubeadm.conf');
    if (dropIn) out.push(`The kubelet runs under systemd with kubeadm's drop-in ${dropIn}.`);
    const flagsEnv = endingWith(kubelet.sources, '/kubeadm-flags.env');
    if (flagsEnv) out.push(`The kubelet reads ${flagsEnv}, which kubeadm init/join writes.`);
    if (out.length > 0) return out;
  }
  for (const path of ['/var/lib/kubelet/kubeadm-flags.env', '/etc/kubernetes/bootstrap-kubelet.conf']) {
    if (tree.isFile(path)) out.push(`${path}, which kubeadm writes, is on the node.`);
  }
  return out;
}

export interface StyleAndRole {
  style: NodeStyle;
  styleEvidence: string[];
  role: NodeRole;
  roleEvidence: string[];
}

/** Decides how the node was built and what it is, each with its evidence. */
export function classifyNode(tree: FileTree, components: readonly Component[], staticPodPath: string): StyleAndRole {
  const cp: Component[] = [];
  let kubelet: Component | undefined;
  let proxyDaemon: Component | undefined;
  for (let i = 0; i < components.length; i++) {
    const c = components[i];
    if (CONTROL_PLANE.includes(c.name)) cp.push(c);
    if (kubelet === undefined && c.name === 'kubelet') kubelet = c;
    if (proxyDaemon === undefined && c.name === 'kube-proxy' && c.runMode === 'systemd') proxyDaemon = c;
  }
  // a worker runs none: no sets to make
  const asPods = cp.length === 0 ? [] : [...new Set(cp.filter((c) => c.runMode === 'static-pod').map((c) => c.name))].sort();
  const asDaemons = cp.length === 0 ? [] : [...new Set(cp.filter((c) => c.runMode === 'systemd').map((c) => c.name))].sort();
  const styleEvidence: string[] = [];
  if (asPods.length > 0) styleEvidence.push(`${list(asPods)} ${asPods.length === 1 ? 'runs as a static pod' : 'run as static pods'} from ${staticPodPath}.`);
  if (asDaemons.length > 0) styleEvidence.push(`${list(asDaemons)} ${asDaemons.length === 1 ? 'runs as a systemd daemon' : 'run as systemd daemons'}.`);
  let style: NodeStyle = 'unknown';
  if (asPods.length > 0 && asDaemons.length > 0) style = 'mixed';
  else if (asPods.length > 0) style = 'kubeadm';
  else if (asDaemons.length > 0) style = 'hard-way';
  if (style === 'kubeadm' || style === 'unknown') {
    const kubeadm = kubeadmKubeletEvidence(tree, kubelet);
    styleEvidence.push(...kubeadm);
    if (style === 'unknown' && kubeadm.length > 0) style = 'kubeadm';
  }
  if (style === 'unknown') {
    if (proxyDaemon) {
      style = 'hard-way';
      styleEvidence.push(`kube-proxy runs as a systemd daemon (${proxyDaemon.unit ?? proxyDaemon.sources[0]}), not as a DaemonSet.`);
    } else if (kubelet?.binary?.startsWith('/usr/local/bin/')) {
      style = 'hard-way';
      styleEvidence.push(`The kubelet is ${kubelet.binary}, installed by hand rather than from a package.`);
    }
  }
  if (style === 'unknown') styleEvidence.push('No control-plane component and no kubeadm or hand-installed kubelet were found.');

  const roleEvidence: string[] = [];
  let role: NodeRole = 'unknown';
  const cpNames = cp.length === 0 ? [] : [...new Set(cp.map((c) => c.name))].sort();
  if (cpNames.length > 0) {
    role = 'control-plane';
    roleEvidence.push(`${list(cpNames)} ${cpNames.length === 1 ? 'runs' : 'run'} on this node.`);
  } else {
    const node: string[] = [];
    for (let i = 0; i < components.length; i++) {
      const n = components[i].name;
      if ((n === 'kubelet' || n === 'kube-proxy') && !node.includes(n)) node.push(n);
    }
    if (node.length > 1) node.sort();
    if (node.length > 0) {
      role = 'worker';
      roleEvidence.push(`Only ${list(node)} of the Kubernetes components run${node.length === 1 ? 's' : ''} on this node.`);
    } else if (style === 'kubeadm') {
      role = 'worker';
      roleEvidence.push('No control-plane component is on this node, and kubeadm set up its kubelet.');
    } else {
      roleEvidence.push('No Kubernetes component was found on this node.');
    }
  }
  return { style, styleEvidence, role, roleEvidence };
}

/**
 * Builds the model from a systemd scan already made: the part of scanTree that does not depend on
 * how units are parsed (tests drive it with hand-made kubelet components).
 */
export function assembleNode(tree: FileTree, systemd: SystemdScan, options: ScanOptions = {}): NodeModel {
  const findings: Finding[] = systemd.findings.slice();
  const daemons = systemd.components;
  const kubelet = daemons.find((c) => c.name === 'kubelet');

  let kubeletConfig: ConfigFile | null = null;
  const configFlag = kubelet ? lastFlag(kubelet, '--config') : null;
  if (configFlag && configFlag.value !== '') {
    const r = loadConfigFile(tree, { path: configFlag.value, component: 'kubelet', flag: '--config', kind: 'KubeletConfiguration', source: configFlag.source });
    kubeletConfig = r.config;
    findings.push(...r.findings);
  }

  const choice = chooseStaticPodPath(kubelet, kubeletConfig);
  const pods = scanStaticPods(tree, choice.path);
  findings.push(...pods.findings);
  if (!choice.configured && pods.components.length + pods.extraStaticPods.length > 0) {
    findings.push({
      severity: 'warning',
      code: 'static-pod-path-unset',
      path: choice.path,
      component: 'kubelet',
      message: `${choice.path} holds static pods, but the kubelet has neither --pod-manifest-path nor staticPodPath: it does not run them.`,
    });
  }

  const components = daemons.concat(pods.components).sort(byName);
  const skip = new Set(kubeletConfig ? [kubeletConfig.path] : []);
  const others = scanConfigs(tree, components, skip);
  findings.push(...others.findings);
  const configs = (kubeletConfig ? [kubeletConfig].concat(others.configs) : others.configs.slice()).sort(byPath);

  const refs = collectReferences(components, configs);
  const creds = scanCredentials(tree, refs, options);
  findings.push(...creds.findings);

  const etcdData = scanEtcdData(tree, components, configs);
  findings.push(...etcdData.findings);

  const cls = classifyNode(tree, components, pods.path);
  if (cls.style === 'kubeadm' && !components.some((c) => c.name === 'kube-proxy')) {
    findings.push({
      severity: 'info',
      code: 'kube-proxy-daemonset',
      path: null,
      component: 'kube-proxy',
      message: 'kube-proxy runs as a DaemonSet on kubeadm clusters: its settings are in the kube-proxy ConfigMap, not on this node\'s disk.',
    });
  }
  findings.push(...tree.findings());

  const model: NodeModel = {
    style: cls.style,
    styleEvidence: cls.styleEvidence,
    role: cls.role,
    roleEvidence: cls.roleEvidence,
    components,
    extraStaticPods: pods.extraStaticPods.slice().sort((a, b) => compareText(a.path, b.path) || compareText(a.name, b.name)),
    // scanCredentials hands over fresh arrays, already sorted by path (its last step).
    certificates: creds.certificates,
    kubeconfigs: creds.kubeconfigs,
    configs,
  } as NodeModel;
  if (etcdData.etcd.length > 0) model.etcd = etcdData.etcd;
  model.findings = sortFindings(findings);
  return model;
}

/** Scans a node tree into the normalized model. Never throws on bad input: problems are findings. */
export function scanTree(tree: FileTree, options: ScanOptions = {}): NodeModel {
  return assembleNode(tree, scanSystemd(tree), options);
}
