/**
 * systemd scanner: every *.service in the unit search path, with drop-ins, environment and
 * enablement applied the way systemd would, and the Kubernetes components they run.
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
import { expandArgs, parseExecValue, resolveSpecifiers, type ExecCommand } from './exec.js';
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

class Scanner {
  private readonly parsed = new Map<string, ParsedUnitFile>();
  private readonly envFiles = new Map<string, EnvVar[] | null>();
  readonly fileFindings = new Map<string, Finding[]>();
  readonly findings: Finding[] = [];

  constructor(private readonly tree: FileTree) {}

  private note(path: string, list: Finding[]): void {
    const existing = this.fileFindings.get(path);
    if (existing) existing.push(...list);
    else this.fileFindings.set(path, [...list]);
  }

  unitFile(path: string): ParsedUnitFile {
    let p = this.parsed.get(path);
    if (!p) {
      p = shared(unitFiles, 'unit', this.tree.readText(path) ?? '', path, parseUnitFile);
      this.parsed.set(path, p);
      this.note(path, p.findings.map(copy));
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
    const target = this.tree.readLink(path);
    if (target !== null) {
      const dir = path.slice(0, path.lastIndexOf('/')) || '/';
      return joinNodePath(target.startsWith('/') ? target : `${dir}/${target}`) === '/dev/null';
    }
    return this.tree.isFile(path) && this.tree.readText(path) === '';
  }

  private readonly listed = new Map<string, ReadonlySet<string> | null>();

  /**
   * False when the directory's listing shows it has no entry by that name, so the name need not be
   * looked up. An empty listing of a directory that is there settles nothing (it may be unreadable),
   * nor does one cut short at the tree's limit.
   */
  mayHold(dir: string, name: string): boolean {
    let names = this.listed.get(dir);
    if (names === undefined) {
      const list = this.tree.list(dir);
      if (list.length >= this.tree.limits.maxDirEntries) names = null;
      else if (list.length === 0) names = this.tree.isDir(dir) ? null : new Set();
      else names = new Set(list);
      this.listed.set(dir, names);
    }
    return names === null || names.has(name);
  }

  /** Whether a name in a unit directory holds something systemd would load or a mask. */
  holds(path: string): boolean {
    return this.tree.isFile(path) || this.isMask(path);
  }

  settings(files: readonly string[], unitName: string): UnitSettings {
    const s: UnitSettings = { commands: [], execLines: 0, environment: [], environmentFiles: [], type: null };
    for (const file of files) {
      const parsed = this.unitFile(file);
      const local: Finding[] = [];
      for (const a of parsed.assignments) {
        if (a.section !== 'Service') continue;
        this.apply(s, a, unitName, local);
      }
      this.note(file, local);
    }
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
        const r = perAssignment(environmentValues, a, '', () => parseEnvironmentValue(a));
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
        const file = resolveSpecifiers(optional ? a.value.slice(1) : a.value, unitName);
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
    for (const v of s.environment) env.set(v.name, v);
    const read: string[] = [];
    for (const ef of s.environmentFiles) {
      for (const file of this.expandGlob(ef.value.file)) {
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
        for (const v of vars) env.set(v.name, v);
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

function unitNames(tree: FileTree): string[] {
  const names = new Set<string>();
  for (const dir of UNIT_SEARCH_PATH) {
    for (const n of tree.list(dir)) {
      // templates (name@.service) only run as instances, which kdiff does not enumerate
      if (n.includes('@')) continue;
      if (n.endsWith('.service')) names.add(n);
      else if (n.endsWith('.service.d') && tree.isDir(`${dir}/${n}`)) names.add(n.slice(0, -2));
    }
  }
  return [...names].sort();
}

/** Unit name -> targets that want or require it, from the *.wants/ and *.requires/ links. */
function wantedByMap(tree: FileTree): Map<string, string[]> {
  const map = new Map<string, Set<string>>();
  for (const dir of UNIT_SEARCH_PATH) {
    for (const n of tree.list(dir)) {
      const m = /^(.+)\.(wants|requires)$/.exec(n);
      if (!m) continue;
      for (const unit of tree.list(`${dir}/${n}`)) {
        const set = map.get(unit) ?? new Set<string>();
        set.add(m[1]);
        map.set(unit, set);
      }
    }
  }
  return new Map([...map].map(([k, v]) => [k, [...v].sort()]));
}

function dedupeAndSort(findings: Finding[]): Finding[] {
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
  const sc = new Scanner(tree);
  const units: SystemdUnitFacts[] = [];
  const components: Component[] = [];
  const wanted = wantedByMap(tree);
  const relevantFiles = new Set<string>();

  for (const name of unitNames(tree)) {
    // the first directory holding the name wins; a mask there hides the units below it
    let fragment: string | null = null;
    let maskedBy: string | null = null;
    for (const dir of UNIT_SEARCH_PATH) {
      const p = `${dir}/${name}`;
      if (!sc.mayHold(dir, name) || !sc.holds(p)) continue;
      if (sc.isMask(p)) {
        maskedBy = maskedBy ?? p;
        continue;
      }
      fragment = p;
      break;
    }
    const dropInByName = new Map<string, string>();
    for (const dir of UNIT_SEARCH_PATH) {
      if (!sc.mayHold(dir, `${name}.d`)) continue;
      const d = `${dir}/${name}.d`;
      for (const f of tree.list(d)) {
        if (!f.endsWith('.conf') || dropInByName.has(f)) continue;
        const p = `${d}/${f}`;
        if (sc.holds(p)) dropInByName.set(f, p);
      }
    }
    const dropIns = [...dropInByName.keys()].sort().map((k) => dropInByName.get(k)!).filter((p) => !sc.isMask(p));
    if (!fragment && !maskedBy && dropIns.length === 0) continue;

    const firstFinding = sc.findings.length;
    const missing = !fragment && !maskedBy;
    const path = maskedBy ?? fragment ?? dropIns[0].slice(0, dropIns[0].lastIndexOf('/') - 2);
    if (missing) {
      sc.findings.push({
        severity: 'warning',
        code: 'systemd-unit-file-missing',
        path,
        message: `${name} has drop-ins (${dropIns.join(', ')}) but no unit file in any unit directory: systemd would not load it (or this tree holds only part of the node).`,
      });
    }

    const files = [...(fragment ? [fragment] : []), ...dropIns];
    const s = sc.settings(files, name);
    const { env, read } = sc.environment(name, s);
    const masked = maskedBy !== null;
    const wantedBy = wanted.get(name) ?? [];
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
      execStart = [{ text: cmd.path, source: `${cmd.source.path}:${cmd.source.line}` }, ...args];
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
      const id = identifyCommand(inner.argv0, inner.args.map((w) => w.text));
      if (id) {
        const parsed = parseFlags(inner.args, { isBoolean: (flag) => isBool(id.component, flag) });
        for (const f of parsed.findings) sc.findings.push({ ...f, component: id.component });
        component = {
          name: id.component,
          runMode: 'systemd',
          sources: [...new Set([...files, ...read])],
          image: null,
          binary: inner.argv0,
          version: null,
          enabled,
          unit: name,
          masked,
          flags: [...parsed.flags, ...(id.component === 'etcd' ? etcdEnvironmentFlags(name, env, parsed.flags, sc.findings) : [])].map((f) => ({
            ...f,
            value: redactFlagValue(f.name, f.value),
          })),
          ...(parsed.args.length > 0 ? { args: parsed.args } : {}),
        };
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

    const componentName = component?.name ?? (name === 'kubelet.service' ? 'kubelet' : null);
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
      for (const finding of sc.findings.slice(firstFinding)) finding.component ??= component.name;
      for (const f of files) for (const finding of sc.fileFindings.get(f) ?? []) finding.component ??= component.name;
    }
    // a real root has hundreds of units: only those that run (or are named after) a component speak up
    if (component || COMPONENT_UNIT_NAMES.has(name.slice(0, -'.service'.length))) {
      for (const f of [...files, ...read]) relevantFiles.add(f);
    } else {
      sc.findings.length = firstFinding;
    }

    units.push({
      name,
      path,
      dropIns,
      environmentFiles: read,
      execStart,
      enabled,
      masked,
      wantedBy,
      ...(component ? { component: component.name } : {}),
      ...(missing ? { missing: true } : {}),
      ...(maskedBy ? { maskedBy } : {}),
    });
  }

  const all = [...sc.findings];
  for (const [path, list] of sc.fileFindings) if (relevantFiles.has(path)) all.push(...list);
  components.sort((a, b) => compareText(a.name, b.name) || compareText(a.unit ?? '', b.unit ?? ''));
  return { units, components, findings: dedupeAndSort(all) };
}
