/**
 * systemd scanner: every *.service in the unit search path and every instance of a template that is
 * enabled or configured, with drop-ins, environment and enablement applied the way systemd would,
 * and the Kubernetes components they run.
 * systemd.unit(5): https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html
 */
import type { Component, Finding } from '../../model/types.js';
import { joinNodePath, type FileTree } from '../../source/file-tree.js';
import { COMPONENT_BINARIES, ENV_WRAPPERS, SHELL_WRAPPERS, identifyCommand } from '../../knowledge/components.js';
import { isBooleanFlag, knownFlags } from '../../knowledge/flags.js';
import { parseFlags } from '../flags.js';
import { maskSecrets, redactFlagValue } from '../configs/redact.js';
import type { SystemdScan, SystemdUnitFacts, Word } from '../types.js';
import { parseEnvFile, parseEnvironmentValue, type EnvVar } from './env-file.js';
import { expandArgs, parseExecValue, type ExecCommand } from './exec.js';
import { badSpecifierFinding, expandSpecifiers } from './specifiers.js';
import { parseUnitFile, type ParsedUnitFile, type UnitAssignment } from './unit-file.js';
import { splitShellWords } from './words.js';
import { compareText } from '../../util/compare.js';
import { Lru, MAX_MEMO_INPUT, contentKey, freezeShared, isShared } from '../../util/memo.js';

/** Unit directories, highest precedence first (systemd.unit(5), "System Unit Search Path"). */
export const UNIT_SEARCH_PATH = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
] as const;

export interface ScanSystemdOptions {
  /** Whether a component's flag takes no value; defaults to the flag knowledge in src/knowledge/flags.ts. */
  isBooleanFlag?: (component: string, flag: string) => boolean;
}

interface Located<T> {
  value: T;
  path: string;
  line: number;
}

/** What the unit's settings come to once the unit file and its drop-ins are read in order. */
interface UnitSettings {
  commands: ExecCommand[];
  /** Every ExecStart= line that was not a reset, to tell "several commands" apart from "none". */
  execLines: number;
  environment: EnvVar[];
  environmentFiles: Array<Located<{ file: string; optional: boolean }>>;
  type: string | null;
}

/** Unit names (without `.service`) that belong to a component even when its ExecStart cannot be read. */
const COMPONENT_UNIT_NAMES = new Set(COMPONENT_BINARIES.flatMap((c) => [c.component, ...c.binaries]));

/*
 * A fleet's nodes have the same unit files and drop-ins: each distinct text is
 * parsed once. What is kept is frozen (the findings are copied for each node, which marks them with
 * its component); assignments of a kept parse are frozen too, and what is read from them is kept
 * on them.
 */
const unitFiles = new Lru<string, ParsedUnitFile>(512);
const execValues = new WeakMap<UnitAssignment, Map<string, { commands: ExecCommand[]; findings: Finding[] }>>();
const environmentValues = new WeakMap<UnitAssignment, Map<string, { vars: EnvVar[]; findings: Finding[] }>>();

/** Kept parses of unit files, numbered to key what is derived from a list of them. */
const parseIds = new WeakMap<ParsedUnitFile, number>();
let nextParseId = 0;
const unitSettings = new Lru<string, { settings: UnitSettings; findings: Finding[][] }>(512);

function shared<T>(cache: Lru<string, T>, kind: string, text: string, path: string, parse: (text: string, path: string) => T): T {
  if (text.length > MAX_MEMO_INPUT) return parse(text, path);
  const key = `${contentKey(kind, text)}\u0000${path}`;
  let v = cache.get(key);
  if (v === undefined) {
    v = freezeShared(parse(text, path));
    cache.set(key, v);
  }
  return v;
}

function perAssignment<T>(cache: WeakMap<UnitAssignment, Map<string, T>>, a: UnitAssignment, unitName: string, parse: () => T): T {
  if (!isShared(a)) return parse();
  let byUnit = cache.get(a);
  if (!byUnit) cache.set(a, (byUnit = new Map()));
  let v = byUnit.get(unitName);
  if (v === undefined) {
    v = freezeShared(parse());
    byUnit.set(unitName, v);
  }
  return v;
}

function copy(f: Finding): Finding {
  return { ...f };
}

/** Copies of a kept list's findings, in a new array (none to copy on most nodes). */
function copyAll(list: readonly Finding[]): Finding[] {
  if (list.length === 0) return [];
  return list.map(copy);
}

class Scanner {
  private readonly parsed = new Map<string, ParsedUnitFile>();
  private readonly envFiles = new Map<string, EnvVar[] | null>();
  readonly fileFindings = new Map<string, Finding[]>();
  readonly findings: Finding[] = [];

  /** `listings`: the names in each unit directory, in UNIT_SEARCH_PATH order, as the scan read them once. */
  constructor(
    private readonly tree: FileTree,
    private readonly listings: readonly (readonly string[])[],
  ) {
    this.lookups = new Array(listings.length);
  }

  /** `list` is the caller's own new array: kept as it is. */
  private note(path: string, list: Finding[]): void {
    const existing = this.fileFindings.get(path);
    if (!existing) this.fileFindings.set(path, list);
    else for (let i = 0; i < list.length; i++) existing.push(list[i]);
  }

  unitFile(path: string): ParsedUnitFile {
    let p = this.parsed.get(path);
    if (!p) {
      p = shared(unitFiles, 'unit', this.tree.readText(path) ?? '', path, parseUnitFile);
      if (isShared(p) && !parseIds.has(p)) parseIds.set(p, nextParseId++);
      this.parsed.set(path, p);
      this.note(path, copyAll(p.findings));
    }
    return p;
  }

  /** Variables of an environment file, or null when it cannot be read. Parsed once per path. */
  envFile(path: string): EnvVar[] | null {
    if (this.envFiles.has(path)) return this.envFiles.get(path) ?? null;
    const text = this.tree.readText(path);
    let vars: EnvVar[] | null = null;
    if (text !== null) {
      // Not kept: environment files are a few lines, and the one that matters differs on every node.
      const r = parseEnvFile(text, path);
      this.note(path, r.findings);
      vars = r.vars;
    }
    this.envFiles.set(path, vars);
    return vars;
  }

  /** Where a link to /dev/null (or an empty file) masks a unit or drop-in. */
  isMask(path: string): boolean {
    let mask = this.masks.get(path);
    if (mask === undefined) {
      const target = this.tree.readLink(path);
      if (target !== null) {
        const dir = path.slice(0, path.lastIndexOf('/')) || '/';
        mask = joinNodePath(target.startsWith('/') ? target : `${dir}/${target}`) === '/dev/null';
      } else mask = this.tree.isFile(path) && this.tree.readText(path) === '';
      this.masks.set(path, mask);
    }
    return mask;
  }

  /** Asked of each unit file and drop-in when it is found and again when it is applied. */
  private readonly masks = new Map<string, boolean>();

  /**
   * What each unit directory's listing says of the names in it, made on first use from the
   * listing the scan read once: null when it settles nothing (see mayHold), a short listing as it
   * is, a long one (a real root's unit directory) as a set.
   */
  private readonly lookups: Array<readonly string[] | ReadonlySet<string> | null | undefined>;

  /**
   * False when the listing of the unit directory `d` (an index into UNIT_SEARCH_PATH) shows it has
   * no entry by that name, so the name need not be looked up. An empty listing of a directory that
   * is there settles nothing (it may be unreadable), nor does one cut short at the tree's limit.
   */
  mayHold(d: number, name: string): boolean {
    let names = this.lookups[d];
    if (names === undefined) {
      const list = this.listings[d];
      if (list.length >= this.tree.limits.maxDirEntries) names = null;
      else if (list.length === 0) names = this.tree.isDir(UNIT_SEARCH_PATH[d]) ? null : list;
      else names = list.length <= 16 ? list : new Set(list);
      this.lookups[d] = names;
    }
    return names === null || (Array.isArray(names) ? names.includes(name) : (names as ReadonlySet<string>).has(name));
  }

  /** Whether a name in a unit directory holds something systemd would load or a mask. */
  holds(path: string): boolean {
    return this.tree.isFile(path) || this.isMask(path);
  }

  private readonly dropInDirs = new Map<string, ReadonlyArray<{ name: string; path: string }>>();

  /** The `*.conf` entries of a drop-in directory that hold a file or a mask, read once per scan (`service.d/` serves every unit). */
  dropInFiles(dir: string): ReadonlyArray<{ name: string; path: string }> {
    let files = this.dropInDirs.get(dir);
    if (!files) {
      const names = this.tree.list(dir);
      const found: Array<{ name: string; path: string }> = [];
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (!name.endsWith('.conf')) continue;
        const path = `${dir}/${name}`;
        if (this.holds(path)) found.push({ name, path });
      }
      this.dropInDirs.set(dir, (files = found));
    }
    return files;
  }

  /**
   * Where systemd finds the unit's file: the first unit directory holding the name, a mask there
   * hiding the units below it. An instance with no file of its own is loaded from its template.
   */
  fragment(name: string): { fragment: string | null; maskedBy: string | null } {
    let fragment: string | null = null;
    let maskedBy: string | null = null;
    const template = templateOf(name);
    for (let c = 0; c < 2; c++) {
      const candidate = c === 0 ? name : template;
      if (candidate === null) continue;
      for (let d = 0; d < UNIT_SEARCH_PATH.length; d++) {
        const dir = UNIT_SEARCH_PATH[d];
        const p = `${dir}/${candidate}`;
        if (!this.mayHold(d, candidate) || !this.holds(p)) continue;
        if (this.isMask(p)) {
          maskedBy = maskedBy ?? p;
          continue;
        }
        fragment = p;
        break;
      }
      // a masked instance still reads its template, to tell which component is masked
      if (fragment) break;
    }
    return { fragment, maskedBy };
  }

  /**
   * The unit's drop-ins in the order systemd applies them (unit_file_find_dropin_paths() in
   * src/shared/dropin.c): the directories of each unit directory in search-path order, within one
   * the unit's own `name.d/`, its template's, then those of each dash-truncated prefix
   * (`kube-.service.d/`), and last the top-level `service.d/` of every unit directory. The first
   * directory holding a file name wins (a mask included); the winners apply sorted by file name.
   * `own` are those from the unit's and its template's directories.
   */
  dropIns(name: string): { dropIns: string[]; own: string[] } {
    const dirNames = dropInDirNames(name);
    const template = templateOf(name);
    const ownDir = `${name}.d`;
    const templateDir = template ? `${template}.d` : null;
    const byName = new Map<string, { path: string; own: boolean }>();
    const names: string[] = [];
    for (let i = 0; i < UNIT_SEARCH_PATH.length; i++) {
      for (let j = 0; j < dirNames.length; j++) {
        const d = dirNames[j];
        this.addDropIns(i, d, d === ownDir || d === templateDir, byName, names);
      }
    }
    for (let i = 0; i < UNIT_SEARCH_PATH.length; i++) this.addDropIns(i, TOP_LEVEL_DROP_INS, false, byName, names);
    if (names.length > 1) names.sort();
    const dropIns: string[] = [];
    const own: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const f = byName.get(names[i])!;
      if (this.isMask(f.path)) continue;
      dropIns.push(f.path);
      if (f.own) own.push(f.path);
    }
    return { dropIns, own };
  }

  /** The first directory holding a drop-in's file name wins. */
  private addDropIns(d: number, dirName: string, own: boolean, byName: Map<string, { path: string; own: boolean }>, names: string[]): void {
    if (!this.mayHold(d, dirName)) return;
    const files = this.dropInFiles(`${UNIT_SEARCH_PATH[d]}/${dirName}`);
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      if (byName.has(f.name)) continue;
      byName.set(f.name, { path: f.path, own });
      names.push(f.name);
    }
  }

  /**
   * The settings of a unit's files in order. They depend only on the files' parses and the unit's
   * name: on every node after the first with the same files, the kept result is handed out (it is
   * frozen, and read only), with its findings copied for this node.
   */
  settings(files: readonly string[], unitName: string): UnitSettings {
    const parsed: ParsedUnitFile[] = [];
    for (let i = 0; i < files.length; i++) parsed.push(this.unitFile(files[i]));
    let key: string | null = unitName;
    for (let i = 0; i < parsed.length; i++) {
      const p = parsed[i];
      const id = isShared(p) ? parseIds.get(p) : undefined;
      if (id === undefined) {
        key = null;
        break;
      }
      key += `\u0000${id}`;
    }
    const kept = key === null ? undefined : unitSettings.get(key);
    if (kept) {
      for (let i = 0; i < files.length; i++) this.note(files[i], copyAll(kept.findings[i]));
      return kept.settings;
    }
    const s: UnitSettings = { commands: [], execLines: 0, environment: [], environmentFiles: [], type: null };
    const findings: Finding[][] = [];
    for (let i = 0; i < files.length; i++) {
      const local: Finding[] = [];
      for (const a of parsed[i].assignments) {
        if (a.section !== 'Service') continue;
        this.apply(s, a, unitName, local);
      }
      findings.push(local);
      this.note(files[i], copyAll(local));
    }
    if (key !== null) unitSettings.set(key, freezeShared({ settings: s, findings }));
    return s;
  }

  private apply(s: UnitSettings, a: UnitAssignment, unitName: string, out: Finding[]): void {
    switch (a.key) {
      case 'ExecStart': {
        if (a.value === '') {
          s.commands = [];
          s.execLines = 0;
          return;
        }
        const r = perAssignment(execValues, a, unitName, () => parseExecValue(a, unitName));
        out.push(...r.findings.map(copy));
        s.commands.push(...r.commands);
        s.execLines++;
        return;
      }
      case 'Environment': {
        if (a.value === '') {
          s.environment = [];
          return;
        }
        // only a value with a specifier reads differently in each unit
        const key = a.value.includes('%') ? unitName : '';
        const r = perAssignment(environmentValues, a, key, () => parseEnvironmentValue(a, key));
        out.push(...r.findings.map(copy));
        s.environment.push(...r.vars);
        return;
      }
      case 'EnvironmentFile': {
        if (a.value === '') {
          s.environmentFiles = [];
          return;
        }
        const optional = a.value.startsWith('-');
        const x = expandSpecifiers(optional ? a.value.slice(1) : a.value, unitName);
        if (x.unknown.length > 0) out.push(badSpecifierFinding(a, a.line, x.unknown, 'current systemd ignores this EnvironmentFile=.'));
        const file = x.text;
        if (!file.startsWith('/')) {
          out.push({
            severity: 'warning',
            code: 'systemd-bad-environment-file',
            path: a.path,
            line: a.line,
            message: `${a.path}:${a.line}: EnvironmentFile=${a.value} is not an absolute path: systemd ignores it.`,
          });
          return;
        }
        s.environmentFiles.push({ value: { file, optional }, path: a.path, line: a.line });
        return;
      }
      case 'Type':
        s.type = a.value;
        return;
      default:
        return;
    }
  }

  /** Environment= first, then each EnvironmentFile= in order, a later assignment replacing an earlier one. */
  environment(unit: string, s: UnitSettings): { env: Map<string, EnvVar>; read: string[] } {
    const env = new Map<string, EnvVar>();
    const environment = s.environment;
    for (let i = 0; i < environment.length; i++) env.set(environment[i].name, environment[i]);
    const read: string[] = [];
    const environmentFiles = s.environmentFiles;
    for (let i = 0; i < environmentFiles.length; i++) {
      const ef = environmentFiles[i];
      const files = this.expandGlob(ef.value.file);
      for (let j = 0; j < files.length; j++) {
        const file = files[j];
        const vars = this.envFile(file);
        if (vars === null) {
          if (!ef.value.optional) {
            this.findings.push({
              severity: 'error',
              code: 'systemd-environment-file-missing',
              path: ef.path,
              line: ef.line,
              message: `${unit}: EnvironmentFile=${file} (${ef.path}:${ef.line}) does not exist and is not optional (no "-"): systemd will refuse to start the unit.`,
            });
          }
          continue;
        }
        read.push(file);
        for (let k = 0; k < vars.length; k++) env.set(vars[k].name, vars[k]);
      }
    }
    return { env, read };
  }

  /** EnvironmentFile= takes shell globs; only the last path segment is matched here. */
  private expandGlob(file: string): string[] {
    const slash = file.lastIndexOf('/');
    const base = file.slice(slash + 1);
    if (!/[*?[]/.test(base)) return [file];
    const dir = file.slice(0, slash) || '/';
    const re = new RegExp(
      '^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$',
    );
    const hits = this.tree.list(dir).filter((n) => re.test(n)).map((n) => `${dir}/${n}`);
    return hits.length > 0 ? hits : [file];
  }
}

/**
 * etcd reads every flag it is not given on the command line from `ETCD_<FLAG>` in its environment
 * (pkg/flags SetFlagsFromEnv): kubespray's and the distributions' units start a bare
 * `/usr/local/bin/etcd` with everything in `EnvironmentFile=/etc/etcd.env`. Those settings are
 * flags as much as the written ones, with the variable's file and line as their source.
 * A variable shadowed by a command-line flag is fatal to etcd v3.4 and later (v3.3 only warned).
 */
function etcdEnvironmentFlags(unit: string, env: Map<string, EnvVar>, written: readonly { name: string }[], findings: Finding[]): { name: string; value: string; source: string }[] {
  const known = new Set(knownFlags('etcd'));
  const given = new Set(written.map((f) => f.name.replace(/^-+/, '--')));
  const out: { name: string; value: string; source: string }[] = [];
  const vars = [...env.values()].filter((v) => v.name.startsWith('ETCD_')).sort((a, b) => compareText(a.path, b.path) || a.line - b.line);
  const shadowed: EnvVar[] = [];
  for (const v of vars) {
    const flag = '--' + v.name.slice('ETCD_'.length).toLowerCase().replace(/_/g, '-');
    if (!known.has(flag)) continue;
    if (given.has(flag)) shadowed.push(v);
    else out.push({ name: flag, value: v.value, source: `${v.path}:${v.line}` });
  }
  if (shadowed.length > 0) {
    const names = shadowed.map((v) => `${v.name} (${v.path}:${v.line})`).join(', ');
    findings.push({
      severity: 'warning',
      code: 'etcd-environment-shadowed',
      path: shadowed[0].path,
      line: shadowed[0].line,
      component: 'etcd',
      message: `${unit}: ${names} ${shadowed.length === 1 ? 'sets a setting' : 'set settings'} the command line sets too: etcd v3.4 and later refuse to start ("conflicting environment variable is shadowed by corresponding command-line flag"), v3.3 used the flags. Keep one of each.`,
    });
  }
  return out;
}

/** Secret-named flags' values replaced, in place: the flags were just made for this component. */
function redactFlags<T extends { name: string; value: string }>(flags: T[]): T[] {
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    const value = redactFlagValue(f.name, f.value);
    if (value !== f.value) f.value = value;
  }
  return flags;
}

/** The program a wrapper (`/bin/bash -c "..."`, `env A=b prog`) really starts, for finding the component. */
function unwrap(argv0: string, args: Word[]): { argv0: string; args: Word[]; wrapper: string | null } {
  const base = argv0.split('/').pop() ?? argv0;
  if ((SHELL_WRAPPERS as readonly string[]).includes(base)) {
    const c = args.findIndex((w) => w.text === '-c' || /^-[a-z]*c$/.test(w.text));
    const script = c >= 0 ? args[c + 1] : undefined;
    if (!script) return { argv0, args, wrapper: null };
    const words = splitShellWords(script.text);
    let i = 0;
    while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]) || words[i] === 'exec')) i++;
    if (i >= words.length) return { argv0, args, wrapper: null };
    return {
      argv0: words[i],
      args: words.slice(i + 1).map((text) => ({ text, source: script.source })),
      wrapper: argv0,
    };
  }
  if ((ENV_WRAPPERS as readonly string[]).includes(base)) {
    let i = 0;
    while (i < args.length && (args[i].text.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i].text))) i++;
    if (i >= args.length) return { argv0, args, wrapper: null };
    return { argv0: args[i].text, args: args.slice(i + 1), wrapper: argv0 };
  }
  return { argv0, args, wrapper: null };
}

/** The top-level drop-in directory of service units (systemd.unit(5): "a top-level drop-in with type.d/"). */
const TOP_LEVEL_DROP_INS = 'service.d';

/** `kubelet@node1.service` -> `kubelet@.service`; null for a unit that is no instance. */
function templateOf(name: string): string | null {
  const dot = name.lastIndexOf('.');
  const at = name.indexOf('@');
  if (at <= 0 || at + 1 >= dot) return null;
  return name.slice(0, at + 1) + name.slice(dot);
}

/** `kubelet@.service` (a template: nothing between "@" and the type suffix). */
function isTemplate(name: string): boolean {
  const at = name.indexOf('@');
  return at > 0 && at + 1 === name.lastIndexOf('.');
}

/** The unit name without its type suffix and instance: `kube-apiserver`, `kubelet` for `kubelet@node1.service`. */
function unitPrefix(name: string): string {
  const base = name.slice(0, name.lastIndexOf('.'));
  const at = base.indexOf('@');
  return at >= 0 ? base.slice(0, at) : base;
}

/**
 * The names of the drop-in directories of a unit within one unit directory, most specific first,
 * as unit_file_find_dirs() walks them: the unit's own, its template's (for an instance), then the
 * same for the name truncated after its last dash (`kube-apiserver.service` -> `kube-.service`),
 * and so on up (systemd.unit(5): "the set of directories generated by repeatedly truncating the
 * unit name after all dashes is searched too").
 */
function dropInDirNames(name: string, out: string[] = []): string[] {
  out.push(`${name}.d`);
  const dot = name.lastIndexOf('.');
  const type = name.slice(dot);
  const template = templateOf(name);
  if (template) dropInDirNames(template, out);
  const base = name.slice(0, dot);
  const at = base.indexOf('@');
  let prefix = at >= 0 ? base.slice(0, at) : base;
  let chopped = false;
  for (;;) {
    const dash = prefix.lastIndexOf('-');
    // no dash, or only a leading one: done
    if (dash <= 0) return out;
    if (dash + 1 < prefix.length || chopped) {
      prefix = prefix.slice(0, dash + 1);
      break;
    }
    // a trailing dash is chopped off once, and the next one up is tried
    prefix = prefix.slice(0, dash);
    chopped = true;
  }
  return dropInDirNames(template ? `${prefix}@${base.slice(at + 1)}${type}` : `${prefix}${type}`, out);
}

interface Discovery {
  /** Units to scan: plain ones and instances, sorted. */
  names: string[];
  /** Template name -> its unit file or mask, for templates no instance uses. */
  templates: Map<string, string>;
}

/**
 * The units in the unit directories: each `*.service` and `*.service.d/` there, with instances
 * (`kubelet@node1.service`) from their own files, their own drop-in directories and the
 * *.wants/ and *.requires/ links that enable them. Templates only run as instances; prefix
 * (`kube-.service.d/`) and top-level (`service.d/`) drop-in directories are no units.
 */
function discoverUnits(tree: FileTree, listings: readonly (readonly string[])[], wanted: ReadonlyMap<string, unknown>): Discovery {
  const names = new Set<string>();
  const templates = new Map<string, string>();
  for (let d = 0; d < UNIT_SEARCH_PATH.length; d++) {
    const dir = UNIT_SEARCH_PATH[d];
    const list = listings[d];
    for (let i = 0; i < list.length; i++) {
      const n = list[i];
      if (n.endsWith('.service')) {
        if (isTemplate(n)) {
          if (!templates.has(n)) templates.set(n, `${dir}/${n}`);
        } else names.add(n);
      } else if (n.endsWith('.service.d') && tree.isDir(`${dir}/${n}`)) {
        const unit = n.slice(0, -2);
        if (!isTemplate(unit) && !unitPrefix(unit).endsWith('-')) names.add(unit);
      }
    }
  }
  for (const n of wanted.keys()) if (n.endsWith('.service') && templateOf(n)) names.add(n);
  for (const n of names) {
    const t = templateOf(n);
    if (t) templates.delete(t);
  }
  return { names: [...names].sort(), templates };
}

interface UnitDirs {
  /** The names in each unit directory, in UNIT_SEARCH_PATH order. */
  listings: string[][];
  /** Unit name -> targets that want or require it, and the first link that does. */
  wanted: Map<string, { targets: string[]; link: string }>;
}

/**
 * The unit directories, each listed once for the whole scan (discovery, fragments and drop-ins
 * all look names up in these listings), and the units their *.wants/ and *.requires/ links name.
 */
function readUnitDirs(tree: FileTree): UnitDirs {
  const listings: string[][] = [];
  const map = new Map<string, { targets: string[]; link: string }>();
  for (let d = 0; d < UNIT_SEARCH_PATH.length; d++) {
    const dir = UNIT_SEARCH_PATH[d];
    const entries = tree.list(dir);
    listings.push(entries);
    for (let i = 0; i < entries.length; i++) {
      const n = entries[i];
      const suffix = n.endsWith('.wants') ? 6 : n.endsWith('.requires') ? 9 : 0;
      if (suffix === 0 || n.length === suffix) continue;
      const target = n.slice(0, n.length - suffix);
      // what /^(.+)\.(wants|requires)$/ took: "." stops at a line separator
      if (target.includes('\u2028') || target.includes('\u2029')) continue;
      const units = tree.list(`${dir}/${n}`);
      for (let j = 0; j < units.length; j++) {
        const unit = units[j];
        const e = map.get(unit);
        if (!e) map.set(unit, { targets: [target], link: `${dir}/${n}/${unit}` });
        else if (!e.targets.includes(target)) e.targets.push(target);
      }
    }
  }
  for (const e of map.values()) if (e.targets.length > 1) e.targets.sort();
  return { listings, wanted: map };
}

function dedupeAndSort(findings: Finding[]): Finding[] {
  // a worker's units find nothing: the list is new, and nothing in it to sort
  if (findings.length <= 1) return findings;
  const seen = new Map<string, Finding>();
  for (const f of findings) {
    const k = `${f.path}\u0000${f.line ?? 0}\u0000${f.code}\u0000${f.message}`;
    if (!seen.has(k)) seen.set(k, f);
  }
  return [...seen.values()].sort(
    (a, b) =>
      compareText(a.path ?? '', b.path ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

/** Scans the unit directories of a node. Pure: reads through the tree, never throws on bad input. */
export function scanSystemd(tree: FileTree, options: ScanSystemdOptions = {}): SystemdScan {
  const isBool = options.isBooleanFlag ?? isBooleanFlag;
  const { listings, wanted } = readUnitDirs(tree);
  const sc = new Scanner(tree, listings);
  const units: SystemdUnitFacts[] = [];
  const components: Component[] = [];
  const relevantFiles = new Set<string>();

  const discovery = discoverUnits(tree, listings, wanted);

  const names = discovery.names;
  for (let u = 0; u < names.length; u++) {
    const name = names[u];
    const { fragment, maskedBy } = sc.fragment(name);
    const { dropIns, own } = sc.dropIns(name);
    const wants = wanted.get(name);
    const link = wants?.link;
    if (!fragment && !maskedBy && own.length === 0) {
      // only an instance named by a link gets here: neither its own file nor its template exists
      if (link && COMPONENT_UNIT_NAMES.has(unitPrefix(name))) {
        const target = tree.readLink(link);
        sc.findings.push({
          severity: 'warning',
          code: 'systemd-instance-not-found',
          path: link,
          message: `${link}${target !== null ? ` (-> ${target})` : ''} wants ${name}, but neither ${name} nor its template ${templateOf(name)} is in any unit directory: systemd cannot load it (or this tree holds only part of the node).`,
        });
      }
      continue;
    }

    const firstFinding = sc.findings.length;
    const missing = !fragment && !maskedBy;
    const ownDir = own.length > 0 ? own[0].slice(0, own[0].lastIndexOf('/')) : '';
    const path = maskedBy ?? fragment ?? `${ownDir.slice(0, ownDir.lastIndexOf('/'))}/${name}`;
    if (missing) {
      sc.findings.push({
        severity: 'warning',
        code: 'systemd-unit-file-missing',
        path,
        message: `${name} has drop-ins (${own.join(', ')}) but no unit file in any unit directory: systemd would not load it (or this tree holds only part of the node).`,
      });
    }

    const files: string[] = fragment ? [fragment] : [];
    for (let i = 0; i < dropIns.length; i++) files.push(dropIns[i]);
    const s = sc.settings(files, name);
    const { env, read } = sc.environment(name, s);
    const masked = maskedBy !== null;
    const wantedBy = wants?.targets ?? [];
    const enabled = !masked && wantedBy.length > 0;
    if (s.commands.length > 1 && s.type !== 'oneshot') {
      const last = s.commands[s.commands.length - 1];
      sc.findings.push({
        severity: 'error',
        code: 'systemd-multiple-exec-start',
        path: last.source.path,
        line: last.source.line,
        message: `${name} has ${s.commands.length} ExecStart= commands without a reset (an empty "ExecStart=" line) before the last: systemd refuses to load a service with more than one unless Type=oneshot. kdiff uses the last one.`,
      });
    }
    const cmd = s.commands.length > 0 ? s.commands[s.commands.length - 1] : null;
    let execStart: Word[] | null = null;
    let component: Component | null = null;
    if (cmd) {
      const { args, unset } = expandArgs(cmd, env);
      execStart = [{ text: cmd.path, source: `${cmd.source.path}:${cmd.source.line}` }];
      for (let i = 0; i < args.length; i++) execStart.push(args[i]);
      for (const u of unset) {
        const ref = u.braces ? '${' + u.name + '}' : '$' + u.name;
        sc.findings.push({
          severity: 'info',
          code: 'systemd-unset-variable',
          path: u.path,
          line: u.line,
          message: u.braces
            ? `${name}: ${ref} in ExecStart= is set by no Environment= or EnvironmentFile=: systemd replaces it with nothing ("${maskSecrets(u.word)}" becomes "${maskSecrets(u.word.split(ref).join(''))}").`
            : `${name}: ${ref} in ExecStart= is set by no Environment= or EnvironmentFile=: systemd passes no argument for it.`,
        });
      }
      const inner = unwrap(cmd.path, args);
      const id = identifyCommand(inner.argv0, inner.args);
      if (id) {
        const parsed = parseFlags(inner.args, { isBoolean: (flag) => isBool(id.component, flag) });
        for (let i = 0; i < parsed.findings.length; i++) sc.findings.push({ ...parsed.findings[i], component: id.component });
        const sources = files.slice();
        for (let i = 0; i < read.length; i++) if (!sources.includes(read[i])) sources.push(read[i]);
        component = {
          name: id.component,
          runMode: 'systemd',
          sources,
          image: null,
          binary: inner.argv0,
          version: null,
          enabled,
          unit: name,
          masked,
          flags: redactFlags(id.component === 'etcd' ? [...parsed.flags, ...etcdEnvironmentFlags(name, env, parsed.flags, sc.findings)] : parsed.flags),
        };
        if (parsed.args.length > 0) component.args = parsed.args;
        components.push(component);
        if (inner.wrapper && inner.args.some((w) => w.text.includes('$'))) {
          sc.findings.push({
            severity: 'info',
            code: 'systemd-shell-wrapper',
            path: cmd.source.path,
            line: cmd.source.line,
            component: id.component,
            message: `${name} starts ${id.component} through ${inner.wrapper}: its flags were read from the shell command without the shell's own expansion ($VAR, $(...)).`,
          });
        }
      }
    }

    const componentName = component?.name ?? (unitPrefix(name) === 'kubelet' ? 'kubelet' : null);
    if (componentName === 'kubelet' && !enabled) {
      sc.findings.push({
        severity: 'warning',
        code: 'kubelet-not-enabled',
        path: maskedBy ?? path,
        component: 'kubelet',
        message: masked
          ? `${name} is masked (${maskedBy} is a link to /dev/null or empty): this node will not (re)join its cluster after a reboot.`
          : `${name} is not enabled (no link to it in any *.wants/ or *.requires/ directory): this node will not (re)join its cluster after a reboot.`,
      });
    }
    if (component) {
      const componentName = component.name;
      for (let i = firstFinding; i < sc.findings.length; i++) sc.findings[i].component ??= componentName;
      // a drop-in shared by several units (service.d/, kube-.service.d/) is no one component's
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        if (f !== fragment && !own.includes(f) && dropIns.includes(f)) continue;
        const list = sc.fileFindings.get(f);
        if (list) for (let j = 0; j < list.length; j++) list[j].component ??= componentName;
      }
    }
    // a real root has hundreds of units: only those that run (or are named after) a component speak up
    if (component || COMPONENT_UNIT_NAMES.has(unitPrefix(name))) {
      for (let i = 0; i < files.length; i++) relevantFiles.add(files[i]);
      for (let i = 0; i < read.length; i++) relevantFiles.add(read[i]);
    } else {
      sc.findings.length = firstFinding;
    }

    const unit: SystemdUnitFacts = { name, path, dropIns, environmentFiles: read, execStart, enabled, masked, wantedBy };
    if (component) unit.component = component.name;
    if (missing) unit.missing = true;
    if (maskedBy) unit.maskedBy = maskedBy;
    units.push(unit);
  }

  for (const [template, path] of discovery.templates) {
    if (!COMPONENT_UNIT_NAMES.has(unitPrefix(template)) || sc.isMask(path)) continue;
    sc.findings.push({
      severity: 'info',
      code: 'systemd-template-unused',
      path,
      message: `${template} is a template, and no instance of it is enabled (no ${unitPrefix(template)}@<instance>.service link in any *.wants/ or *.requires/ directory) or has a unit file or drop-in directory of its own: systemd starts nothing from it, and kdiff reads no component from it.`,
    });
  }

  const all = [...sc.findings];
  for (const [path, list] of sc.fileFindings) if (relevantFiles.has(path)) all.push(...list);
  components.sort((a, b) => compareText(a.name, b.name) || compareText(a.unit ?? '', b.unit ?? ''));
  return { units, components, findings: dedupeAndSort(all) };
}
