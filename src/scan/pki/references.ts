/**
 * Every file a component flag or config field points at, with the role the knowledge data gives it.
 */
import { CONFIG_KIND_COMPONENT, FILE_REF_RULES, type FileRefRule } from '../../knowledge/file-refs.js';
import type { Component, ConfigFile } from '../../model/types.js';
import { joinNodePath } from '../../source/file-tree.js';
import type { FileReference } from '../types.js';
import { compareText } from '../../util/compare.js';

/** A path as written in a flag or field, made absolute: relative ones resolve against `baseDir`. */
export function resolveNodePath(value: string, baseDir: string): string {
  return value.startsWith('/') ? joinNodePath(value) : joinNodePath(baseDir, value);
}

function dirOf(nodePath: string): string {
  const p = joinNodePath(nodePath);
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

function refsForValue(rule: FileRefRule, value: string, baseDir: string, source: string): FileReference[] {
  const v = value.trim();
  if (v === '') return [];
  if (rule.valueFormat === 'cert-key-pair') {
    // `--tls-sni-cert-key=cert.crt,cert.key:*.example.com`
    const [cert, key] = v.split(':')[0].split(',').map((s) => s.trim());
    const out: FileReference[] = [];
    if (cert) out.push(reference(rule, source, resolveNodePath(cert, baseDir), 'certificate'));
    if (key) out.push(reference(rule, source, resolveNodePath(key, baseDir), 'key'));
    return out;
  }
  return [reference(rule, source, resolveNodePath(v, baseDir), rule.kind)];
}

function reference(rule: FileRefRule, source: string, path: string, kind: FileReference['kind']): FileReference {
  // One literal (no spread of a base object), its fields in the order they always had.
  return { component: rule.component, via: rule.via, role: rule.role, source, path, kind };
}

/** Reads a dotted field path (`authentication.x509.clientCAFile`) out of a config document. */
function field(doc: unknown, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const part of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function key(r: FileReference): string {
  return `${r.path}\u0000${r.component}\u0000${r.via}\u0000${r.kind}\u0000${r.source}`;
}

let rulesByComponent: Map<string, Map<string, FileRefRule>> | undefined;
const fieldRulesByComponent = new Map<string, { rule: FileRefRule; path: string[] }[]>();

/** The config-file field rules of a component (not flags), in rule order, each field path split once. */
function configFieldRules(component: string): { rule: FileRefRule; path: string[] }[] {
  let rules = fieldRulesByComponent.get(component);
  if (!rules) {
    rules = FILE_REF_RULES.filter((r) => r.component === component && !r.via.startsWith('-')).map((rule) => ({ rule, path: rule.via.split('.') }));
    // Only components the rules know are kept: the map stays as small as the rules.
    if (rules.length > 0) fieldRulesByComponent.set(component, rules);
  }
  return rules;
}

/**
 * fileRefRule through an index built once: a node's every flag is looked up, and a linear search
 * of the rules per flag is most of what collecting references costs. The first rule wins, as in find.
 */
export function ruleFor(component: string, via: string): FileRefRule | undefined {
  if (!rulesByComponent) {
    rulesByComponent = new Map();
    for (const rule of FILE_REF_RULES) {
      let byVia = rulesByComponent.get(rule.component);
      if (!byVia) rulesByComponent.set(rule.component, (byVia = new Map()));
      if (!byVia.has(rule.via)) byVia.set(rule.via, rule);
    }
  }
  return rulesByComponent.get(component)?.get(via);
}

/** Every file a component flag or config field points at (certificates, keys, CAs, kubeconfigs), sorted. */
export function collectReferences(components: readonly Component[], configs: readonly ConfigFile[]): FileReference[] {
  const out = new Map<string, FileReference>();
  const add = (refs: FileReference[]): void => {
    for (const r of refs) {
      const k = key(r);
      if (!out.has(k)) out.set(k, r);
    }
  };
  for (const c of components) {
    for (const flag of c.flags) {
      const rule = ruleFor(c.name, flag.name);
      if (!rule || (flag.overridden && !rule.repeatable)) continue;
      // A daemon's working directory is `/` (systemd) and a static pod's is the image's `/`.
      add(refsForValue(rule, flag.value, '/', flag.source));
    }
  }
  for (const cfg of configs) {
    const component = cfg.component ?? CONFIG_KIND_COMPONENT[cfg.kind];
    if (!component) continue;
    for (const { rule, path } of configFieldRules(component)) {
      const v = field(cfg.content, path);
      if (typeof v === 'string') add(refsForValue(rule, v, dirOf(cfg.path), cfg.path));
    }
  }
  // Sorted by the keys already made (the same order as sorting by key(r)).
  const keys = [...out.keys()].sort(compareText);
  return keys.map((k) => out.get(k) as FileReference);
}
