/**
 * docs/schema/*.schema.json against REAL outputs of the built CLI (`npm test` builds first): reports
 * of fixture pairs, audits of fixture sets, snapshots of every fixture tree. Two checks per output:
 * it is valid, and (stricter) every field it holds is documented in the schema.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/kdiff.js');
const schemaPath = (name: string) => join(root, 'docs/schema', `${name}.schema.json`);
const readSchema = (name: string) => JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>;

function kdiff(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', KDIFF_NOW: '2026-06-01' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], codes: number[] = [0, 1]): unknown {
  const r = kdiff([...args, '--format', 'json']);
  if (!codes.includes(r.code ?? -1)) throw new Error(`kdiff ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Node trees among the fixtures: the seed nodes and the systemd cases (not the corpus, which is files). */
function fixtureTrees(): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, 'fixtures')).sort()) {
    if (name.startsWith('seed-')) out.push(`fixtures/${name}`);
  }
  const systemd = join(root, 'fixtures/systemd');
  if (existsSync(systemd)) {
    for (const name of readdirSync(systemd).sort()) if (statSync(join(systemd, name)).isDirectory()) out.push(`fixtures/systemd/${name}`);
  }
  return out;
}

const snapshots = readdirSync(join(root, 'fixtures/snapshots')).filter((f) => f.endsWith('.json')).sort().map((f) => `fixtures/snapshots/${f}`);

/** A copy of a schema where an object that lists its properties allows no others: "every field is documented". */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function validator(strictMode: boolean) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const load = (name: string) => (strictMode ? strict(readSchema(name)) : readSchema(name)) as Record<string, unknown>;
  ajv.addSchema(load('report'));
  ajv.addSchema(load('audit'));
  return (id: string, value: unknown): string[] => {
    const validate = ajv.getSchema(id);
    if (!validate) throw new Error(`no schema ${id}`);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

const loose = validator(false);
const documented = validator(true);

function expectValid(id: string, value: unknown): void {
  expect(loose(id, value)).toEqual([]);
  expect(documented(id, value)).toEqual([]);
}

let dir: string;
beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  dir = mkdtempSync(join(tmpdir(), 'kdiff-schema-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report.schema.json', () => {
  it('is a valid 2020-12 schema, and rejects what is not a report', () => {
    expect(readSchema('report').$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(loose('urn:kdiff:schema:report:1', { kdiff: 'audit' }).length).toBeGreaterThan(0);
    const bad = { kdiff: 'report', schemaVersion: 1, left: { label: 'a', style: 'kubeadm', role: 'worker' }, right: { label: 'b', style: 'kubeadm', role: 'worker' }, differences: [{ component: null, subject: 'flag', key: 'k', change: 'moved', category: 'config', severity: 'info', left: 1, right: 2, message: 'm' }], summary: { differences: 1, byCategory: { config: 1 }, bySeverity: { info: 1 } } };
    expect(loose('urn:kdiff:schema:report:1', bad).join('\n')).toMatch(/change/);
    expect(loose('urn:kdiff:schema:report:1', { ...bad, differences: [{ ...bad.differences[0], change: 'added' }] })).toEqual([]);
    // A field the schema does not know is allowed for readers, but fails the "documented" check.
    expect(documented('urn:kdiff:schema:report:1', { ...bad, differences: [], summary: { differences: 0, byCategory: {}, bySeverity: {} }, extra: 1 }).join()).toMatch(/additional/);
  });

  it('fits kubeadm against the hard way', () => {
    const report = json(['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller']) as { differences: unknown[] };
    expect(report.differences.length).toBeGreaterThan(0);
    expectValid('urn:kdiff:schema:report:1', report);
  });

  it('fits every pair of neighbouring fixture trees, both ways', () => {
    const trees = fixtureTrees();
    expect(trees.length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i + 1 < trees.length; i++) {
      expectValid('urn:kdiff:schema:report:1', json([trees[i], trees[i + 1]]));
      expectValid('urn:kdiff:schema:report:1', json([trees[i + 1], trees[i]]));
    }
  });

  it('fits every snapshot fixture against the first', () => {
    expect(snapshots.length).toBeGreaterThan(1);
    for (const s of snapshots) expectValid('urn:kdiff:schema:report:1', json([snapshots[0], s]));
  });

  it('fits a report with ignore rules, an expired one among them (the `ignored` record)', () => {
    const config = join(dir, 'kdiff.yaml');
    writeFileSync(config, 'ignore:\n  - category: layout\n    reason: paths differ by design\n  - component: etcd\n    reason: old\n    until: 2020-01-01\n');
    const report = json(['fixtures/seed-kubeadm-master', 'fixtures/seed-hard-way-controller', '--config', config]) as { ignored?: { expiredRules: string[] } };
    expect(report.ignored?.expiredRules).toHaveLength(1);
    expectValid('urn:kdiff:schema:report:1', report);
  });
});

describe('audit.schema.json', () => {
  it('fits an audit against a baseline, with an unreadable node', () => {
    const audit = json(['audit', '--baseline', 'fixtures/seed-kubeadm-master', ...fixtureTrees(), 'fixtures/no-such-node']) as { summary: { unreadable?: number } };
    expect(audit.summary.unreadable).toBe(1);
    expectValid('urn:kdiff:schema:audit:1', audit);
  });

  it('fits an audit against the majority, of trees and snapshots', () => {
    const audit = json(['audit', ...fixtureTrees(), ...snapshots]) as { baseline: unknown; nodes: unknown[] };
    expect(audit.baseline).toBeNull();
    expect(audit.nodes.length).toBe(fixtureTrees().length + snapshots.length);
    expectValid('urn:kdiff:schema:audit:1', audit);
  });

  it('rejects a node without differences', () => {
    const bad = { kdiff: 'audit', schemaVersion: 1, baseline: null, nodes: [{ label: 'a', style: 'kubeadm', role: 'worker' }], summary: { nodes: 1, drifted: 0, differences: 0 } };
    expect(loose('urn:kdiff:schema:audit:1', bad).join()).toMatch(/differences/);
  });
});

describe('snapshot.schema.json', () => {
  const hasSchema = existsSync(schemaPath('snapshot'));
  it(hasSchema ? 'fits `kdiff scan --format json` of every fixture tree' : 'scan output carries the snapshot header (the schema file arrives with the snapshot validator)', () => {
    const trees = fixtureTrees();
    const validate = hasSchema ? new Ajv2020({ allErrors: true, strict: false }).compile(readSchema('snapshot')) : null;
    for (const t of trees) {
      const snap = json(['scan', t], [0]) as { kdiff: string; schemaVersion: number; node: { components: unknown[] } };
      expect(snap).toMatchObject({ kdiff: 'snapshot', schemaVersion: 1 });
      expect(Array.isArray(snap.node.components)).toBe(true);
      if (validate) expect(validate(snap) ? [] : validate.errors).toEqual([]);
    }
    // The snapshot fixtures the CLI tests compare are snapshots too.
    if (validate) for (const s of snapshots) expect(validate(JSON.parse(readFileSync(join(root, s), 'utf8'))) ? [] : validate.errors).toEqual([]);
  });
});
