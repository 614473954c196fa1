#!/usr/bin/env node
// Builds src/knowledge/data/knowledge.json from the upstream references in data/reference/ (flag tables,
// lifecycle, reference drops, admission plugins) and kdiff's curated tables in data/reference/curated/.
// Usage: node scripts/gen-knowledge.mjs [--check]   (--check: exit 1 if the committed file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const root = new URL('../', import.meta.url);
const OUT = new URL('src/knowledge/data/knowledge.json', root);
const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'etcd'];

/** The reference each component's flag table comes from (see data/reference/SOURCES.md). */
const REFERENCE_LABEL = {
  'kube-apiserver': 'kubernetes/website@be91dec8 command-line-tools-reference/kube-apiserver.md (Kubernetes v1.31)',
  'kube-controller-manager': 'kubernetes/website@be91dec8 command-line-tools-reference/kube-controller-manager.md (Kubernetes v1.31)',
  'kube-scheduler': 'kubernetes/website@be91dec8 command-line-tools-reference/kube-scheduler.md (Kubernetes v1.31)',
  'kube-proxy': 'kubernetes/website@be91dec8 command-line-tools-reference/kube-proxy.md (Kubernetes v1.31)',
  kubelet: 'kubernetes/website@be91dec8 command-line-tools-reference/kubelet.md (Kubernetes v1.30)',
  etcd: 'etcd-io/etcd@v3.5.33 server/etcdmain/config.go (etcd v3.5)',
};

function yaml(rel) {
  return load(readFileSync(new URL(`data/reference/${rel}`, root), 'utf8'));
}

/** pflag type -> kdiff FlagType, before curation. */
function typeFromReference(flag, pflagType) {
  switch (pflagType) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'int32':
    case 'int64':
    case 'uint':
    case 'uint32':
    case 'uint64':
      return /-port$/.test(flag) ? 'port' : 'int';
    case 'float':
    case 'float32':
    case 'float64':
      return 'float';
    case 'duration':
      return 'duration';
    case 'ip':
      return 'ip';
    case 'quantity':
      return 'quantity';
    case 'urlList':
      return 'url-list';
    case 'stringSlice':
    case 'stringArray':
      return 'list';
    case 'taints':
      return 'set';
    case 'mapStringString':
    case 'mapStringBool':
    case 'colonSeparatedMultimapStringString':
    case 'vmodule':
      return 'map';
    case 'string':
      return /(-file|-dir|-path|-kubeconfig)$/.test(flag) ? 'path' : 'string';
    default:
      return 'string';
  }
}

/** pflag prints no default for a zero value; the zero value of the kdiff type, as text. */
function zeroValue(type) {
  switch (type) {
    case 'bool':
      return 'false';
    case 'int':
    case 'port':
    case 'float':
    case 'quantity':
      return '0';
    case 'duration':
      return '0s';
    default:
      return '';
  }
}

function cleanDefault(text) {
  if (text === null || text === undefined) return null;
  const s = String(text);
  return s === '[]' ? '' : s;
}

const minorKey = (v) => String(v).split('.').map((n) => n.padStart(4, '0')).join('.');
const underscoreless = (flag) => flag.replace(/_/g, '-');

function build() {
  const types = yaml('curated/types.yaml');
  const renames = yaml('curated/renames.yaml').renames;
  const security = yaml('curated/security.yaml');
  const configDefaults = yaml('curated/config-defaults.yaml');
  const lifecycle = yaml('lifecycle.yaml').entries;
  const drops = yaml('reference-drops.yaml').drops;
  const admission = yaml('admission-plugins.yaml');

  const out = {
    generatedBy: 'scripts/gen-knowledge.mjs from data/reference/ (do not edit by hand)',
    components: {},
    configFields: {},
    configFileDefaults: {},
    admissionPlugins: {
      version: String(admission.kubernetes_version),
      source: 'data/reference/admission-plugins.yaml (kubernetes/website@be91dec8 kube-apiserver.md, Kubernetes v1.31)',
      defaultEnabled: [...admission.default_enabled].sort(),
      available: [...admission.available].sort(),
      lifecycle: {},
    },
  };

  for (const component of COMPONENTS) {
    const ref = yaml(`flags/${component}.yaml`);
    const version = String(ref.kubernetes_version ?? ref.etcd_version);
    const curated = { ...(types.common ?? {}), ...(types[component] ?? {}) };
    const flags = {};
    const shorthands = {};
    const known = new Set();
    for (const f of ref.flags) {
      const name = f.flag;
      known.add(underscoreless(name));
      const c = curated[name];
      const type = c?.type ?? typeFromReference(name, f.type);
      let def = cleanDefault(f.default);
      let defaultFrom = 'reference';
      if (c?.default !== undefined) {
        def = String(c.default);
        defaultFrom = 'curated';
      } else if (def === null && component !== 'etcd') {
        def = zeroValue(type);
        defaultFrom = 'zero-value';
      }
      const entry = { type, default: def, defaultFrom, pflag: f.type, line: f.source_line };
      if (c?.element) entry.element = c.element;
      if (c?.values) entry.values = c.values;
      if (f.config_field) entry.configField = f.config_field;
      if (f.deprecated) entry.deprecated = f.deprecated;
      flags[name] = entry;
      if (f.shorthand) shorthands[String(f.shorthand).replace(/^-*/, '-')] = name;
      if (f.config_field) {
        const dot = f.config_field.indexOf('.');
        const kind = f.config_field.slice(0, dot);
        out.configFields[kind] ??= {};
        out.configFields[kind][f.config_field.slice(dot + 1)] = name;
      }
    }

    // Flags known only by an old name: curated types, no current entry.
    const legacyTable = { ...(types.legacy?.common ?? {}), ...(types.legacy?.[component] ?? {}) };
    const legacy = {};
    const renameTo = {};
    for (const r of renames) if (r.component === component) renameTo[r.from] = r.to;
    for (const e of lifecycle) {
      if (e.component === component && e.change === 'renamed' && e.replacement) renameTo[e.flag] = e.replacement;
    }
    const wanted = new Set([
      ...lifecycle.filter((e) => e.component === component && !e.kind).map((e) => e.flag),
      ...drops.filter((d) => d.component === component).map((d) => d.flag),
      ...Object.keys(types.legacy?.[component] ?? {}),
    ]);
    for (const name of [...wanted].sort()) {
      if (known.has(underscoreless(name)) || renameTo[name]) continue;
      const c = legacyTable[name];
      const type = c?.type ?? typeFromReference(name, 'string');
      const entry = {
        type,
        default: c?.default !== undefined ? String(c.default) : null,
        defaultFrom: c?.default !== undefined ? 'curated' : 'unknown',
        typeFrom: c?.type ? 'curated' : 'name',
      };
      if (c?.element) entry.element = c.element;
      if (c?.hidden) entry.hidden = true;
      legacy[name] = entry;
    }

    // Renames: the new name's facts; when the new name is not in this reference (etcd 3.6 renames),
    // the old name's facts carry over under the new name.
    const aliases = {};
    for (const [from, to] of Object.entries(renameTo)) {
      aliases[from] = to;
      if (!flags[to] && flags[from]) {
        flags[to] = { ...flags[from], renamedFrom: from };
        delete flags[from];
      }
    }

    // Lifecycle facts per flag name as written on a node.
    const facts = {};
    const add = (flag, fact) => {
      (facts[flag] ??= []).push(fact);
    };
    for (const e of lifecycle) {
      if (e.component !== component || e.kind) continue;
      let change = e.change;
      if (change === 'undeprecated' || change === 'default-disabled' || change === 'removed-api-field') continue;
      const fact = { change, replacement: e.replacement ?? null, version: String(e.version), source: `data/reference/lifecycle.yaml: ${e.source}`, evidence: 'release-note' };
      if (e.note) fact.note = e.note;
      add(e.flag, fact);
    }
    for (const d of drops) {
      if (d.component !== component) continue;
      if (known.has(underscoreless(d.flag))) continue;
      if (legacy[d.flag]?.hidden) continue;
      if ((facts[d.flag] ?? []).some((f) => f.change === 'removed')) continue;
      // a release note about the flag after it left the reference means it was only hidden
      if ((facts[d.flag] ?? []).some((f) => minorKey(f.version) > minorKey(d.first_absent))) continue;
      add(d.flag, {
        change: 'removed',
        replacement: renameTo[d.flag] ?? null,
        version: String(d.first_absent),
        source: `data/reference/reference-drops.yaml: last in ${d.last_documented_in}, absent from ${d.absent_in}`,
        evidence: 'reference-drop',
        note: `absent from the v${d.first_absent} command-line reference (removed, or hidden while still accepted)`,
      });
    }
    for (const [name, c] of Object.entries(legacyTable)) {
      if (!legacy[name] || !c.removed) continue;
      if ((facts[name] ?? []).some((f) => f.change === 'removed')) continue;
      add(name, {
        change: 'removed',
        replacement: null,
        version: String(c.removed),
        source: `data/reference/curated/types.yaml (absent from every ${component} reference checked, the first being v${c.removed})`,
        evidence: 'curated',
        note: `not in the v${c.removed} or any later reference; the exact release it went away in is unknown`,
      });
    }
    for (const [from, to] of Object.entries(renameTo)) {
      if ((facts[from] ?? []).some((f) => f.change === 'renamed')) continue;
      const r = renames.find((x) => x.component === component && x.from === from);
      const earliest = (facts[from] ?? []).map((f) => f.version).sort((a, b) => (minorKey(a) < minorKey(b) ? -1 : 1))[0];
      if (!earliest) continue;
      add(from, {
        change: 'renamed',
        replacement: to,
        version: earliest,
        source: `data/reference/curated/renames.yaml: ${r?.basis ?? ''}`.trim(),
        evidence: 'curated',
        ...(r?.note ? { note: r.note } : {}),
      });
    }
    const order = { deprecated: 0, renamed: 1, removed: 2 };
    for (const list of Object.values(facts)) {
      list.sort((a, b) => minorKey(a.version).localeCompare(minorKey(b.version)) || order[a.change] - order[b.change]);
    }

    // Security rules: keyed by current name; checked against the flag tables so a typo fails here.
    const sec = security[component] ?? {};
    const rules = {};
    for (const [name, rule] of Object.entries(sec)) {
      if (name === 'relevant') continue;
      if (!flags[name] && !legacy[name]) throw new Error(`security.yaml: ${component} ${name} is not a known flag`);
      rules[name] = rule;
    }
    for (const name of sec.relevant ?? []) {
      if (!flags[name] && !legacy[name]) throw new Error(`security.yaml: ${component} relevant ${name} is not a known flag`);
    }

    out.components[component] = {
      version,
      source: REFERENCE_LABEL[component],
      flags: sortKeys(flags),
      legacy: sortKeys(legacy),
      aliases: sortKeys(aliases),
      shorthands: sortKeys(shorthands),
      lifecycle: sortKeys(facts),
      security: rules,
      securityRelevant: [...(sec.relevant ?? [])].sort(),
    };
  }

  for (const e of lifecycle) {
    if (e.kind !== 'admission-plugin') continue;
    let change = e.change;
    if (change === 'removed-api-field') change = 'removed';
    if (change !== 'deprecated' && change !== 'removed') continue;
    const fact = { change, replacement: e.replacement ?? null, version: String(e.version), source: `data/reference/lifecycle.yaml: ${e.source}`, evidence: 'release-note' };
    if (e.note) fact.note = e.note;
    (out.admissionPlugins.lifecycle[e.flag] ??= []).push(fact);
  }
  out.admissionPlugins.lifecycle = sortKeys(out.admissionPlugins.lifecycle);

  for (const [component, table] of Object.entries(configDefaults)) {
    const byFlag = {};
    for (const [field, d] of Object.entries(table.fields)) {
      const f = out.components[component].flags[d.flag];
      if (!f || f.configField?.split('.').slice(1).join('.') !== field) throw new Error(`config-defaults.yaml: ${component} ${field} does not mirror ${d.flag}`);
      byFlag[d.flag] = { field, fileDefault: String(d.fileDefault), flagDefault: String(d.flagDefault) };
    }
    out.configFileDefaults[component] = { source: table.source, flags: sortKeys(byFlag) };
  }
  for (const kind of Object.keys(out.configFields)) out.configFields[kind] = sortKeys(out.configFields[kind]);
  out.configFields = sortKeys(out.configFields);
  return out;
}

function sortKeys(obj) {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Pretty at the top, one line per flag or fact, so a regeneration diff reads flag by flag. */
function serialize(value, depth = 0) {
  if (depth >= 4 || value === null || typeof value !== 'object') return JSON.stringify(value);
  const pad = ' '.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return JSON.stringify(value);
    return `[\n${value.map((v) => pad + serialize(v, depth + 1)).join(',\n')}\n${' '.repeat(depth)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${serialize(v, depth + 1)}`).join(',\n')}\n${' '.repeat(depth)}}`;
}

export function generate() {
  return serialize(build()) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generate();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error('src/knowledge/data/knowledge.json is stale: run node scripts/gen-knowledge.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(OUT, text);
    console.log(`wrote ${fileURLToPath(OUT)} (${text.length} bytes)`);
  }
}
