/**
 * What a component is configured to do, keyed by meaning: flags by canonical name (the effective
 * occurrence), the config-file fields that mirror flags folded in under the flag's name with the
 * kubelet's precedence (a flag wins over the file), and the other config-file fields by dotted path.
 */
import { createHash } from 'node:crypto';
import type { Component, ConfigFile, NodeModel } from '../model/types.js';
import type { NormalizedValue } from '../knowledge/flags.js';
import type { DiffKnowledge } from './knowledge.js';
import { isSecretKey, redactValue } from '../scan/configs/redact.js';
import { deepFreeze, isShared } from '../util/memo.js';
import { listsMembers } from './policy.js';
import { keepsAll } from './identity.js';
import { sameValue } from './types.js';

export interface Setting {
  /** Canonical flag name, or `<Kind>.<dotted.path>` for a config-file field that mirrors no flag. */
  key: string;
  subject: 'flag' | 'config';
  /** The value to show (identity replaced; secrets shown as a fingerprint). */
  display: string;
  /** The value by meaning, what comparisons use. */
  value: NormalizedValue | unknown;
  /** Where it was set: `flag --x (file:line)` or `readOnlyPort in /var/lib/kubelet/config.yaml`. */
  origin: string;
  /** The flag name as written (to spot removed and renamed spellings). */
  writtenAs: string;
  /** The value names a file or directory: a difference is where things live (layout). */
  isPath: boolean;
  /** Set by a config file rather than on the command line. */
  fromFile?: boolean;
}

export interface ComponentSettings {
  settings: Map<string, Setting>;
  /** The component reads a config file (`--config`), so unset settings take the file's defaults. */
  viaConfigFile: boolean;
  /** Config files of this component whose fields mirror no flag, by kind (for presence). */
  configKinds: Map<string, ConfigFile>;
  /** The keys of `settings`, sorted, once asked for (the memo keeps a reference's for every node). */
  sortedKeys?: readonly string[];
  /** The keys set by command-line flags, in order (repeats possible). */
  flagKeys: readonly string[];
  /**
   * The kept settings of each config file in order, when every file was plain (plainSettings) and
   * holds no secret: every node with the same files has the same setting object for each key that
   * no flag of its own sets (settingsAlike).
   */
  files?: readonly PlainFile[];
  /** What settingsAlike found for the files and flag keys of the last sides compared with these settings. */
  alike?: Array<{ files: readonly PlainFile[]; flagKeys: readonly string[]; differ: readonly string[]; keys: readonly string[] }>;
}

/** Config kinds whose fields mirror component flags. */
const MIRRORING_KINDS = new Set(['KubeletConfiguration', 'KubeProxyConfiguration']);

/** The effective settings of a component on one node (identity already replaced by `identity`). */
export function componentSettings(
  node: NodeModel,
  component: Component | null,
  componentName: string | null,
  knowledge: DiffKnowledge,
  identity: (text: string) => string,
): ComponentSettings {
  let settings = new Map<string, Setting>();
  const flagKeys: string[] = [];
  const flagSettings: Setting[] = [];
  const name = component?.name ?? componentName ?? '';
  // Indexed loops (per flag and config field of every node): -0.3% of a fleet audit's instructions against for...of.
  if (component) {
    const flags = component.flags;
    const byName = flagCache(knowledge, name);
    for (let i = 0; i < flags.length; i++) {
      const f = flags[i];
      if (f.overridden) continue;
      const s = commandLineSetting(byName, name, f.name, f.value, f.source, knowledge, identity);
      settings.set(s.key, s);
      flagKeys.push(s.key);
      flagSettings.push(s);
    }
  }
  const configKinds = new Map<string, ConfigFile>();
  let files: PlainFile[] | undefined = [];
  const configs = node.configs
    .filter((c) => (c.component ?? null) === (componentName ?? null))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 0; i < configs.length; i++) {
    const cfg = configs[i];
    configKinds.set(cfg.kind, cfg);
    const list = fieldsOf(cfg, knowledge);
    const fields = list.fields;
    // No text of the file holds this node's name or address (most files): nothing to replace in any field.
    const plain = list.lower !== undefined && keepsAll(identity, list.lower);
    if (plain) {
      const file = plainSettings(list, cfg, name, knowledge, identity);
      if (file.secret) files = undefined;
      else files?.push(file);
      if (configs.length === 1 && files !== undefined) {
        // The file's settings as one map, made once for every node, copied whole; the flags, set on
        // top, win over the fields that mirror them as below (unless a field that mirrors no flag has a flag's key).
        const own = fileMap(file);
        let clash = false;
        for (let k = 0; k < flagKeys.length && !clash; k++) clash = own.leaves.has(flagKeys[k]);
        if (!clash) {
          settings = new Map(own.map);
          for (let k = 0; k < flagSettings.length; k++) settings.set(flagKeys[k], flagSettings[k]);
          continue;
        }
      }
      const made = file.settings;
      for (let j = 0; j < made.length; j++) {
        const m = made[j];
        if (m.setting === undefined) {
          // A secret: made afresh, never kept.
          const entry = fields[j] as MirrorField;
          if (!settings.has(m.key) || settings.get(m.key)?.fromFile) settings.set(m.key, fileSetting(entry, name, m.key, cfg.path, knowledge, identity, true));
        } else if (!m.mirror) settings.set(m.key, m.setting);
        else {
          const prev = settings.get(m.key);
          if (prev === undefined || prev.fromFile) settings.set(m.key, m.setting);
        }
      }
      continue;
    }
    files = undefined;
    for (let j = 0; j < fields.length; j++) {
      const entry = fields[j];
      if (entry.flag !== undefined) {
        // The field's kept setting was made for its canonical name (per knowledge, as the fields are).
        const key = entry.kept !== undefined && entry.kept.component === name ? entry.kept.key : knowledge.canonicalFlagName(name, entry.flag);
        // A flag given on the command line wins over the config file (kubelet precedence).
        if (!settings.has(key) || settings.get(key)?.fromFile) settings.set(key, fileSetting(entry, name, key, cfg.path, knowledge, identity, plain));
        continue;
      }
      const setting = leafSetting(entry, cfg, identity, plain);
      settings.set(setting.key, setting);
    }
  }
  return { settings, viaConfigFile: settings.has('--config'), configKinds, flagKeys, files };
}

/** The kept settings of a plain file (plainSettings), for the component and path they were made for. */
interface PlainFile {
  component: string;
  file: string;
  settings: readonly PlainSetting[];
  /** A field is a secret (its setting made afresh for each node). */
  secret: boolean;
  /** Once asked for (fileMap), the settings by key as the file alone makes them, and the keys of fields that mirror no flag. */
  map?: Map<string, Setting>;
  leaves?: Set<string>;
}

/**
 * The keys whose settings may differ between `l` and `r`, sorted, when `r` made its config-file
 * settings from kept lists (most nodes of a fleet). Without a flag of `r` for it, a key's setting on
 * `r` is the one its files make, the same object for every node with those files: whether it
 * compares alike with `l`'s is worked out once (kept on `l`, an audit's reference), and only the
 * keys that do not, and those `r`'s flags set, are left to compare. Undefined when `r`'s files were
 * not all kept (every key is to be compared).
 */
export function settingsAlike(l: ComponentSettings, r: ComponentSettings): readonly string[] | undefined {
  const files = r.files;
  if (files === undefined) return undefined;
  // A few kinds of files (a fleet's variants of a config file), each with the flags first seen with it.
  const alike = (l.alike ??= []);
  let kept = alike.find((a) => sameItems(a.files, files));
  if (kept === undefined) {
    // A key's setting from the files alone: every file setting is fromFile, so a later one replaces an earlier.
    let fromFiles = files.length === 1 ? fileMap(files[0]).map : undefined;
    if (fromFiles === undefined) {
      fromFiles = new Map();
      for (const f of files) for (const m of f.settings) fromFiles.set(m.key, m.setting as Setting);
    }
    const differ: string[] = [];
    for (const [key, s] of l.settings) if (!settingAlike(s, fromFiles.get(key))) differ.push(key);
    for (const [key, s] of fromFiles) if (!l.settings.has(key) && !settingAlike(undefined, s)) differ.push(key);
    kept = { files, flagKeys: r.flagKeys, differ, keys: withKeys(differ, r.flagKeys) };
    if (alike.length >= ALIKE_KEPT) alike.shift();
    alike.push(kept);
  } else if (!sameItems(kept.flagKeys, r.flagKeys)) {
    // Flags of this node's own (kept for the many nodes with the usual flags).
    return withKeys(kept.differ, r.flagKeys);
  }
  return kept.keys;
}

const ALIKE_KEPT = 4;

/** Both set, and alike as compareSettings sees them at a glance (it reports unset or null values even when alike). */
function settingAlike(a: Setting | undefined, b: Setting | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = a.value;
  const y = b.value;
  return x !== null && x !== undefined && y !== null && y !== undefined && (x === y || sameValue(x, y));
}

/**
 * A plain file's settings by key as it alone makes them (every file setting is fromFile, so a later
 * field with a key replaces an earlier one), and the keys of its fields that mirror no flag.
 */
function fileMap(file: PlainFile): Required<Pick<PlainFile, 'map' | 'leaves'>> {
  if (file.map === undefined || file.leaves === undefined) {
    const map = new Map<string, Setting>();
    const leaves = new Set<string>();
    for (const m of file.settings) {
      map.set(m.key, m.setting as Setting);
      if (!m.mirror) leaves.add(m.key);
    }
    file.map = map;
    file.leaves = leaves;
  }
  return file as Required<PlainFile>;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function withKeys(a: readonly string[], b: readonly string[]): readonly string[] {
  return [...new Set([...a, ...b])].sort();
}

/** What a field of a plain file comes to: its key and setting (undefined for a secret, made each time). */
interface PlainSetting {
  key: string;
  /** Mirrors a flag: a flag given on the command line wins over it. */
  mirror: boolean;
  setting: Setting | undefined;
}

/**
 * The settings of a kept document's fields, one per field in order, for a file that holds no name
 * or address of the node (its texts are kept as they are): the same for every node that has the
 * file at this path, so made once for them all instead of field by field per node.
 */
function plainSettings(
  list: FieldList,
  cfg: ConfigFile,
  component: string,
  knowledge: DiffKnowledge,
  identity: (text: string) => string,
): PlainFile {
  const kept = list.plain;
  if (kept && kept.component === component && kept.file === cfg.path) return kept;
  const fields = list.fields;
  const settings: PlainSetting[] = [];
  for (let j = 0; j < fields.length; j++) {
    const entry = fields[j];
    if (entry.flag !== undefined) {
      const key = entry.kept !== undefined && entry.kept.component === component ? entry.kept.key : knowledge.canonicalFlagName(component, entry.flag);
      settings.push({ key, mirror: true, setting: isSecretKey(key) ? undefined : fileSetting(entry, component, key, cfg.path, knowledge, identity, true) });
      continue;
    }
    const setting = leafSetting(entry, cfg, identity, true);
    settings.push({ key: setting.key, mirror: false, setting });
  }
  const secret = settings.some((m) => m.setting === undefined);
  return (list.plain = { component, file: cfg.path, settings, secret });
}

/** A field of a config file: one that mirrors a flag (its value as the flag takes it), or a leaf by dotted path. */
type Field = MirrorField | LeafField;

interface LeafField {
  path: string;
  flag?: undefined;
  value: unknown;
  /** The setting last made of this field of a kept document, and the file it was made for. */
  kept?: { file: string; setting: Setting };
}

/** The setting of a config-file field that mirrors no flag; the one made for the last node when it is the same. */
function leafSetting(field: LeafField, cfg: ConfigFile, identity: (text: string) => string, plain: boolean): Setting {
  const k = field.kept;
  // Nothing to replace: the value compares as it is (replaceDeep would give an equal copy).
  if (plain && k && k.file === cfg.path && sameLeaf(k.setting.value, field.value)) return k.setting;
  const v = replaceDeep(field.value, identity);
  if (k && k.file === cfg.path && sameLeaf(k.setting.value, v)) return k.setting;
  const key = `${cfg.kind}.${field.path}`;
  const setting: Setting = {
    key,
    subject: 'config',
    display: typeof v === 'string' ? v : JSON.stringify(v),
    value: v,
    origin: `${field.path} in ${cfg.path}`,
    writtenAs: field.path,
    isPath: typeof v === 'string' && looksLikePath(v),
    fromFile: true,
  };
  field.kept = { file: cfg.path, setting: deepFreeze(setting) };
  return setting;
}

/** Leaves (scalars, lists of scalars) equal as replaceDeep makes them. */
function sameLeaf(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  if (isEmptyMapping(a) && isEmptyMapping(b)) return true;
  return Object.is(a, b);
}

interface MirrorField {
  path: string;
  flag: string;
  text: string;
  value?: undefined;
  /** The setting last made of this field of a kept document, and what it was made for. */
  kept?: { component: string; key: string; file: string; raw: string; setting: Setting };
}

/** The setting of a config-file field that mirrors a flag; the one made for the last node when it is the same. */
function fileSetting(
  field: MirrorField,
  component: string,
  key: string,
  file: string,
  knowledge: DiffKnowledge,
  identity: (text: string) => string,
  plain: boolean,
): Setting {
  const raw = plain ? field.text : identity(field.text);
  const k = field.kept;
  if (k && k.raw === raw && k.key === key && k.component === component && k.file === file) return k.setting;
  const bucket = bucketOf(flagCache(knowledge, component), component, field.flag, knowledge);
  const setting: Setting = { ...bucketSetting(bucket, component, field.flag, field.text, `${field.path} in ${file}`, true, knowledge, identity), fromFile: true };
  if (isSecretKey(key)) return setting;
  field.kept = { component, key, file, raw, setting: deepFreeze(setting) };
  return setting;
}

/** The fields of a config file, and for a document many nodes share, the lower case of their texts joined. */
interface FieldList {
  fields: readonly Field[];
  lower?: string;
  /** The fields' settings for the last component and path the document was read for, when plain. */
  plain?: PlainFile;
}

/** The fields of a config file in document order. */
function fieldsOf(cfg: ConfigFile, knowledge: DiffKnowledge): FieldList {
  // A frozen document (as the scanner hands out, one per distinct file) is walked once for all nodes.
  const content = cfg.content;
  const cache = isShared(content) ? fieldCache(knowledge, content as object) : undefined;
  const hit = cache?.get(cfg.kind);
  if (hit) return hit;
  const fields: Field[] = [];
  const mirrors = MIRRORING_KINDS.has(cfg.kind);
  walk(content, '', (path, value) => {
    if (mirrors && path) {
      const flag = knowledge.flagForConfigField(cfg.kind, path);
      if (flag) {
        fields.push({ path, flag, text: asFlagValue(value) });
        return true;
      }
    }
    if (!isLeaf(value)) return false;
    if (path === 'kind' || path === 'apiVersion') return true;
    fields.push({ path, value });
    return true;
  });
  if (!cache) return { fields };
  // Each text's own lower case (a text's lower case is not always a part of the whole's: final sigma).
  const texts: string[] = [];
  for (const f of fields) {
    if (f.flag !== undefined) texts.push(f.text.toLowerCase());
    else if (typeof f.value === 'string') texts.push(f.value.toLowerCase());
    else if (Array.isArray(f.value)) for (const x of f.value) if (typeof x === 'string') texts.push(x.toLowerCase());
  }
  const list = { fields, lower: texts.join('\n') };
  cache.set(cfg.kind, list);
  return list;
}

const fieldCaches = new WeakMap<DiffKnowledge, WeakMap<object, Map<string, FieldList>>>();

function fieldCache(knowledge: DiffKnowledge, content: object): Map<string, FieldList> {
  let byContent = fieldCaches.get(knowledge);
  if (!byContent) fieldCaches.set(knowledge, (byContent = new WeakMap()));
  let byKind = byContent.get(content);
  if (!byKind) byContent.set(content, (byKind = new Map()));
  return byKind;
}

/**
 * What a flag of a component came to, by its name as written: its canonical name and the settings
 * made of it (each for where it was given, on a command line or in a config file, and a value with
 * identity replaced). Every node of a fleet sets the same flags the same way: the setting is found
 * by comparing the flag's own strings, where a key joined from them costs building and hashing it.
 */
interface FlagBucket {
  key: string;
  secret: boolean;
  made: Array<{ source: string; inFile: boolean; raw: string; setting: Setting }>;
}

interface FlagCache {
  byComponent: Map<string, Map<string, FlagBucket>>;
  /** Settings kept in all buckets; the cache starts over past FLAG_CACHE_MAX (a hostile fleet's many names and values). */
  size: number;
}

const FLAG_CACHE_MAX = 4096;
/** Settings kept per flag: a fleet's few variants of one flag, not every node's. */
const FLAG_VARIANTS = 8;
const flagCaches = new WeakMap<DiffKnowledge, FlagCache>();

function flagCache(knowledge: DiffKnowledge, component: string): Map<string, FlagBucket> {
  let cache = flagCaches.get(knowledge);
  if (!cache || cache.size > FLAG_CACHE_MAX) flagCaches.set(knowledge, (cache = { byComponent: new Map(), size: 0 }));
  let byName = cache.byComponent.get(component);
  if (!byName) cache.byComponent.set(component, (byName = new Map()));
  return byName;
}

function bucketOf(byName: Map<string, FlagBucket>, component: string, writtenAs: string, knowledge: DiffKnowledge): FlagBucket {
  let bucket = byName.get(writtenAs);
  if (!bucket) {
    const key = knowledge.canonicalFlagName(component, writtenAs);
    bucket = { key, secret: isSecretKey(key), made: [] };
    byName.set(writtenAs, bucket);
  }
  return bucket;
}

/** knowledge.canonicalFlagName, kept with the settings made of the flag. */
export function canonicalFlagNames(knowledge: DiffKnowledge, component: string): (flag: string) => string {
  const byName = flagCache(knowledge, component);
  return (flag) => bucketOf(byName, component, flag, knowledge).key;
}

/** The setting of a flag given on the command line (origin `<name> (<source>)`). */
function commandLineSetting(
  byName: Map<string, FlagBucket>,
  component: string,
  writtenAs: string,
  rawValue: string,
  source: string,
  knowledge: DiffKnowledge,
  identity: (text: string) => string,
): Setting {
  return bucketSetting(bucketOf(byName, component, writtenAs, knowledge), component, writtenAs, rawValue, source, false, knowledge, identity);
}

/**
 * The setting of the bucket's flag set to `rawValue` on a command line (`source` the file that gives
 * it) or in a config file (`source` the field and file, its origin), made once for the fleet.
 */
function bucketSetting(
  bucket: FlagBucket,
  component: string,
  writtenAs: string,
  rawValue: string,
  source: string,
  inFile: boolean,
  knowledge: DiffKnowledge,
  identity: (text: string) => string,
): Setting {
  const key = bucket.key;
  const raw = listsMembers(component, key, rawValue) ? rawValue : identity(rawValue);
  // A secret's fingerprint is of the value as written: never kept.
  if (bucket.secret) return makeFlagSetting(component, key, writtenAs, rawValue, raw, inFile ? source : `${writtenAs} (${source})`, knowledge);
  const made = bucket.made;
  for (let i = 0; i < made.length; i++) {
    const m = made[i];
    if (m.raw === raw && m.source === source && m.inFile === inFile) return m.setting;
  }
  const setting = deepFreeze(makeFlagSetting(component, key, writtenAs, rawValue, raw, inFile ? source : `${writtenAs} (${source})`, knowledge));
  if (made.length >= FLAG_VARIANTS) made.shift();
  made.push({ source, inFile, raw, setting });
  const cache = flagCaches.get(knowledge);
  if (cache) cache.size++;
  return setting;
}

function makeFlagSetting(
  component: string,
  key: string,
  writtenAs: string,
  rawValue: string,
  raw: string,
  origin: string,
  knowledge: DiffKnowledge,
): Setting {
  const info = knowledge.flagInfo(component, key);
  const isPath = info ? info.type === 'path' || !!knowledge.fileRefRule(component, key) : !!knowledge.fileRefRule(component, key) || looksLikePath(raw);
  if (isSecretKey(key) && !isPath && redactValue(raw) !== raw) {
    // Never carry a secret into a report: compare and show a fingerprint instead.
    const fp = `present (sha256:${createHash('sha256').update(rawValue).digest('hex').slice(0, 12)})`;
    return { key, subject: 'flag', display: fp, value: fp, origin, writtenAs, isPath: false };
  }
  let value: unknown;
  try {
    value = knowledge.normalizeFlagValue(component, key, raw);
  } catch {
    value = raw;
  }
  return { key, subject: 'flag', display: raw, value, origin, writtenAs, isPath };
}

/** A config-file value written the way the mirrored flag takes it (`[a, b]` -> `a,b`, maps -> `k=v,...`). */
export function asFlagValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(asFlagValue).join(',');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${asFlagValue(v)}`)
      .join(',');
  }
  return String(value);
}

/** An absolute file path (not a URL, not a list). */
export function looksLikePath(v: string): boolean {
  return /^\/[^\s,]*$/.test(v);
}

function isEmptyMapping(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

function isLeaf(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== 'object');
  return Object.keys(v).length === 0;
}

/**
 * Visits a document: `visit(path, value)` returns true when it took the value whole; objects are
 * entered by key, lists of objects by their `name` when every item has one, else by index.
 */
function walk(value: unknown, path: string, visit: (path: string, value: unknown) => boolean): void {
  if (visit(path, value)) return;
  if (Array.isArray(value)) {
    const named = value.every((x) => x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string');
    value.forEach((item, i) => {
      const seg = named ? `[${(item as { name: string }).name}]` : `[${i}]`;
      walk(item, `${path}${seg}`, visit);
    });
    return;
  }
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value).sort()) walk((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k, visit);
  }
}

function replaceDeep(v: unknown, identity: (text: string) => string): unknown {
  if (typeof v === 'string') return identity(v);
  if (Array.isArray(v)) return v.map((x) => replaceDeep(x, identity));
  // An empty mapping (a leaf): a copy, since the setting made of it is kept frozen and the document may be the caller's.
  if (v !== null && typeof v === 'object') return { ...v };
  return v;
}
