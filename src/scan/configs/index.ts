/**
 * Component config files, found by following the flags that name them (`--config`,
 * `--encryption-provider-config` ...), read with secrets removed.
 * Kinds: https://kubernetes.io/docs/reference/config-api/
 */
import type { Component, ConfigFile, Finding } from '../../model/types.js';
import { joinNodePath, type FileTree } from '../../source/file-tree.js';
import { readYamlShared } from './safe-yaml.js';
import { freezeShared } from '../../util/memo.js';
import { redactSecrets } from './redact.js';
import { compareText } from '../../util/compare.js';

export { redactSecrets, isSecretKey } from './redact.js';
export { readYamlDocuments, lineOf, pathKey, type YamlDocument, type YamlReadResult } from './safe-yaml.js';

/** A flag of a component that names a config file, and the kind that file should hold. */
export interface ConfigFlagRule {
  component: string;
  flag: string;
  kind: string;
  /** Older kinds the component still read for this flag. */
  oldKinds?: readonly string[];
}

export const CONFIG_FLAG_RULES: readonly ConfigFlagRule[] = [
  { component: 'kubelet', flag: '--config', kind: 'KubeletConfiguration' },
  { component: 'kube-proxy', flag: '--config', kind: 'KubeProxyConfiguration' },
  { component: 'kube-scheduler', flag: '--config', kind: 'KubeSchedulerConfiguration' },
  // `kind: EncryptionConfig` (apiVersion v1) is the pre-1.13 spelling the hard way used until 2021.
  { component: 'kube-apiserver', flag: '--encryption-provider-config', kind: 'EncryptionConfiguration', oldKinds: ['EncryptionConfig'] },
  // Renamed in 1.13; the hard way (2017-2018) and the seed article still use the old name.
  { component: 'kube-apiserver', flag: '--experimental-encryption-provider-config', kind: 'EncryptionConfiguration', oldKinds: ['EncryptionConfig'] },
  { component: 'kube-apiserver', flag: '--authentication-config', kind: 'AuthenticationConfiguration' },
  { component: 'kube-apiserver', flag: '--authorization-config', kind: 'AuthorizationConfiguration' },
  { component: 'kube-apiserver', flag: '--admission-control-config-file', kind: 'AdmissionConfiguration' },
  { component: 'kube-apiserver', flag: '--audit-policy-file', kind: 'Policy' },
];

/** The value the component really uses for a flag: the last occurrence wins. */
export function lastFlag(component: Component, name: string): { value: string; source: string } | null {
  for (let i = component.flags.length - 1; i >= 0; i--) {
    const f = component.flags[i];
    if (f.name === name) return { value: f.value, source: f.source };
  }
  return null;
}

export interface ConfigRead {
  config: ConfigFile | null;
  findings: Finding[];
}

/**
 * Reads one config file a component's flag points at. A relative path is taken from `/`, the
 * working directory systemd and the kubelet give their processes.
 */
export function loadConfigFile(
  tree: FileTree,
  ref: { path: string; component: string; flag: string; kind: string; oldKinds?: readonly string[]; source: string },
): ConfigRead {
  const path = joinNodePath('/', ref.path);
  const findings: Finding[] = [];
  const text = tree.readText(path);
  if (text === null) {
    if (!tree.exists(path)) {
      findings.push({
        severity: 'warning',
        code: 'config-file-missing',
        path,
        component: ref.component,
        message: `${ref.component} is given ${ref.flag}=${ref.path} (${ref.source}), but ${path} is not on this node.`,
      });
    }
    return { config: null, findings };
  }
  const read = readYamlShared(text, path);
  for (const f of read.findings) findings.push({ ...f, component: ref.component });
  const doc = read.documents[0];
  if (!doc) return { config: null, findings };
  if (read.documents.length > 1) {
    findings.push({
      severity: 'info',
      code: 'config-extra-documents',
      path,
      line: read.documents[1].line,
      component: ref.component,
      message: `${path} has ${read.documents.length} YAML documents; ${ref.component} reads the first one only.`,
    });
  }
  const value = doc.value;
  const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  if (!obj) {
    findings.push({
      severity: 'warning',
      code: 'config-not-a-mapping',
      path,
      line: doc.line,
      component: ref.component,
      message: `${path} should hold a ${ref.kind} mapping, but its document is a ${Array.isArray(value) ? 'list' : typeof value}.`,
    });
    return { config: null, findings };
  }
  const kind = typeof obj.kind === 'string' ? obj.kind : null;
  if (kind !== null && kind !== ref.kind && !(ref.oldKinds ?? []).includes(kind)) {
    findings.push({
      severity: 'warning',
      code: 'config-unexpected-kind',
      path,
      line: doc.lines.get('kind') ?? doc.line,
      component: ref.component,
      message: `${ref.flag} of ${ref.component} names ${path}, which holds a ${kind}, not a ${ref.kind}.`,
    });
  }
  return {
    config: {
      path,
      kind: kind ?? ref.kind,
      apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : null,
      component: ref.component,
      content: redactedContent(obj),
    },
    findings,
  };
}

/**
 * The document with its secrets removed, frozen: the parse is shared by every node with the same
 * file (readYamlShared), and so is its redacted copy; the differ keeps its own work on it.
 */
function redactedContent(doc: Record<string, unknown>): unknown {
  let content = redacted.get(doc);
  if (content === undefined) {
    content = freezeShared(redactSecrets(doc));
    redacted.set(doc, content);
  }
  return content;
}

const redacted = new WeakMap<object, unknown>();

/** Every config file the components' flags name (each path read once), sorted by path. */
export function scanConfigs(tree: FileTree, components: readonly Component[], skip: ReadonlySet<string> = new Set()): { configs: ConfigFile[]; findings: Finding[] } {
  const configs: ConfigFile[] = [];
  const findings: Finding[] = [];
  const done = new Set(skip);
  for (const component of components) {
    for (const rule of CONFIG_FLAG_RULES) {
      if (rule.component !== component.name) continue;
      const flag = lastFlag(component, rule.flag);
      if (!flag || flag.value === '') continue;
      const path = joinNodePath('/', flag.value);
      if (done.has(path)) continue;
      done.add(path);
      const r = loadConfigFile(tree, { path: flag.value, component: component.name, flag: rule.flag, kind: rule.kind, oldKinds: rule.oldKinds, source: flag.source });
      if (r.config) configs.push(r.config);
      findings.push(...r.findings);
    }
  }
  configs.sort((a, b) => compareText(a.path, b.path));
  return { configs, findings };
}
