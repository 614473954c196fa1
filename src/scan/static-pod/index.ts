/**
 * Static pods: what the kubelet runs from its static pod path, read the way the kubelet reads it.
 * Kubelet's file source (pkg/kubelet/config/file.go): every regular file in the directory whose
 * name does not start with `.` (whatever its extension), not recursing, one Pod per file (the
 * first YAML document), a second pod with the same name is dropped.
 * https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/
 */
import type { Component, ExtraStaticPod, Finding } from '../../model/types.js';
import type { FileTree } from '../../source/file-tree.js';
import { joinNodePath } from '../../source/file-tree.js';
import { CORE_COMPONENTS, componentFromCommand } from '../../knowledge/components.js';
import { isBooleanFlag } from '../../knowledge/flags.js';
import { parseFlags } from '../flags.js';
import type { Word } from '../types.js';
import { lineOf, readYamlDocuments, type YamlDocument } from '../configs/safe-yaml.js';
import { redactFlagValue } from '../configs/redact.js';
import { imageBaseName, versionFromImage } from './image.js';

export { parseImage, versionFromImage, imageBaseName } from './image.js';

export interface StaticPodScan {
  /** Node path of the directory (or single file) read. */
  path: string;
  /** Manifest files read, sorted. */
  manifests: string[];
  components: Component[];
  extraStaticPods: ExtraStaticPod[];
  findings: Finding[];
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** `hyperkube <sub>` (and the `kube-` spelled sub-commands) to canonical component names. */
const HYPERKUBE: Record<string, string> = {
  apiserver: 'kube-apiserver',
  'kube-apiserver': 'kube-apiserver',
  'controller-manager': 'kube-controller-manager',
  'kube-controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler',
  'kube-scheduler': 'kube-scheduler',
  proxy: 'kube-proxy',
  'kube-proxy': 'kube-proxy',
  kubelet: 'kubelet',
};

/** Component a container runs: from its command, else (no command) from its image name. */
export function componentOfContainer(argv: readonly string[], image: string | null): string | null {
  if (argv.length > 0) {
    const known = componentFromCommand(argv[0], argv.slice(1));
    if (known) return known;
    const base = argv[0].split('/').pop() ?? argv[0];
    if (base === 'hyperkube') {
      const sub = argv.slice(1).find((w) => !w.startsWith('-'));
      return sub ? (HYPERKUBE[sub] ?? null) : null;
    }
    if ((CORE_COMPONENTS as readonly string[]).includes(base)) return base;
    return null;
  }
  if (image) {
    const base = imageBaseName(image);
    if (base !== 'kubelet' && (CORE_COMPONENTS as readonly string[]).includes(base)) return base;
  }
  return null;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Command or args items as words with their `file:line`; non-scalar items are dropped with a finding. */
function words(doc: YamlDocument, path: string, base: (string | number)[], list: unknown, findings: Finding[]): Word[] | null {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    findings.push({ severity: 'warning', code: 'static-pod-invalid', path, line: lineOf(doc, base), message: `${path}: ${base.join('.')} should be a list of strings.` });
    return null;
  }
  const out: Word[] = [];
  list.forEach((item, j) => {
    const line = lineOf(doc, [...base, j]);
    if (item === null || typeof item === 'object') {
      findings.push({ severity: 'warning', code: 'static-pod-invalid', path, line, message: `${path}:${line}: ${base.join('.')}[${j}] is not a string: ignored.` });
      return;
    }
    out.push({ text: String(item), source: `${path}:${line}` });
  });
  return out;
}

interface PodRead {
  podName: string;
  components: Component[];
  extra: ExtraStaticPod | null;
}

function readPod(doc: YamlDocument, path: string, findings: Finding[]): PodRead | null {
  const pod = asRecord(doc.value);
  const kind = pod ? str(pod.kind) : null;
  const apiVersion = pod ? str(pod.apiVersion) : null;
  if (!pod || kind !== 'Pod' || (apiVersion !== null && apiVersion !== 'v1')) {
    const what = kind ? `${article(kind)}${apiVersion ? ` (${apiVersion})` : ''}` : pod ? 'a document without a kind' : article(Array.isArray(doc.value) ? 'list' : typeof doc.value);
    findings.push({
      severity: 'info',
      code: 'static-pod-not-a-pod',
      path,
      line: doc.line,
      message: `${path} holds ${what}, not a Pod: the kubelet does not run it.`,
    });
    return null;
  }
  const fileName = path.split('/').pop() ?? path;
  const podName = str(asRecord(pod.metadata)?.name) ?? fileName;
  const spec = asRecord(pod.spec);
  const containers = spec && Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) {
    findings.push({ severity: 'warning', code: 'static-pod-invalid', path, line: lineOf(doc, ['spec']), message: `${path}: Pod ${podName} has no containers.` });
  }
  const components: Component[] = [];
  let firstImage: string | null = null;
  containers.forEach((c, i) => {
    const container = asRecord(c);
    if (!container) return;
    const image = str(container.image);
    firstImage ??= image;
    const base = ['spec', 'containers', i];
    const command = words(doc, path, [...base, 'command'], container.command, findings);
    const args = words(doc, path, [...base, 'args'], container.args, findings);
    if (!command || !args) return;
    const argv = [...command, ...args];
    const name = componentOfContainer(argv.map((w) => w.text), image);
    if (!name) return;
    const flagWords = command.length > 0 ? argv.slice(1) : args;
    const parsed = parseFlags(flagWords, { isBoolean: (flag) => isBooleanFlag(name, flag) });
    for (const f of parsed.findings) findings.push({ ...f, component: f.component ?? name });
    const flags = parsed.flags.map((f) => ({ ...f, value: redactFlagValue(f.name, f.value) }));
    components.push({
      name,
      runMode: 'static-pod',
      sources: [path],
      image,
      binary: command.length > 0 ? command[0].text : null,
      version: versionFromImage(image),
      enabled: null,
      flags,
      ...(parsed.args.length > 0 ? { args: parsed.args } : {}),
    });
  });
  return { podName, components, extra: components.length === 0 ? { name: podName, path, image: firstImage } : null };
}

function scanManifest(tree: FileTree, path: string, seen: Map<string, string>, out: StaticPodScan): void {
  const text = tree.readText(path);
  if (text === null) return;
  const fileName = path.split('/').pop() ?? path;
  const usualName = MANIFEST_EXT.test(fileName);
  const read = readYamlDocuments(text, path, { severity: usualName ? 'warning' : 'info' });
  out.findings.push(...read.findings);
  out.manifests.push(path);
  const [first, ...rest] = read.documents;
  if (!first) {
    if (read.findings.length === 0) {
      out.findings.push({ severity: 'info', code: 'static-pod-empty', path, message: `${path} is empty: the kubelet runs nothing from it.` });
    }
    return;
  }
  const pod = readPod(first, path, out.findings);
  for (const doc of rest) {
    const kind = str(asRecord(doc.value)?.kind);
    out.findings.push({
      severity: kind === 'Pod' ? 'warning' : 'info',
      code: 'static-pod-extra-document',
      path,
      line: doc.line,
      message: `${path} has another YAML document${kind ? ` (${article(kind)})` : ''} at line ${doc.line}: the kubelet reads only the first document of a manifest.`,
    });
  }
  if (!pod) return;
  const earlier = seen.get(pod.podName);
  if (earlier) {
    out.findings.push({
      severity: 'warning',
      code: 'duplicate-static-pod',
      path,
      message: `${path} defines Pod ${pod.podName} again (first in ${earlier}): the kubelet keeps the first and drops this one.`,
    });
    return;
  }
  seen.set(pod.podName, path);
  if (!usualName) {
    out.findings.push({
      severity: 'warning',
      code: 'static-pod-unusual-file-name',
      path,
      message: `${path} is not named *.yaml, *.yml or *.json, but the kubelet runs every file in its static pod directory: Pod ${pod.podName} from it runs too (a backup copy?).`,
    });
  }
  out.components.push(...pod.components);
  if (pod.extra) {
    out.extraStaticPods.push(pod.extra);
    out.findings.push({
      severity: 'info',
      code: 'extra-static-pod',
      path,
      message: `Static pod ${pod.extra.name}${pod.extra.image ? ` (${pod.extra.image})` : ''} is not a Kubernetes component.`,
    });
  }
}

/**
 * Every static pod in a static pod path (a directory, or a single manifest file): components, extra
 * pods, and a finding for each file the kubelet would not run or would run by surprise.
 */
export function scanStaticPods(tree: FileTree, staticPodPath: string): StaticPodScan {
  const path = joinNodePath('/', staticPodPath);
  const out: StaticPodScan = { path, manifests: [], components: [], extraStaticPods: [], findings: [] };
  const seen = new Map<string, string>();
  const kind = tree.kind(path);
  if (kind === 'file') {
    scanManifest(tree, path, seen, out);
  } else if (kind === 'dir') {
    for (const name of tree.list(path)) {
      if (name.startsWith('.')) continue;
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      const k = tree.kind(child);
      // Not a file the kubelet would read: asking FileTree for its bytes records why (a FIFO or
      // socket, never opened; a refused link), so the problem is reported, not silently skipped.
      if (k === null) tree.readBytes(child);
      if (k !== 'file') continue;
      scanManifest(tree, child, seen, out);
    }
  }
  return out;
}
