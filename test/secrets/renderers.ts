/**
 * Every way kdiff turns a node into bytes, for the secret hunt in leak.test.ts. Add a renderer here
 * when a new output format or command lands; each takes a node input (a fixture root, the hostile
 * tree, the hostile tarball) and returns its output, stdout and stderr together.
 *
 * Covered: scan text/json; certs text/json; diff text/json/markdown/unified/junit/sarif against the
 * seed kubeadm master and the seed hard-way controller; audit text/json/markdown/junit/sarif;
 * ignore --from a diff and an audit report; paths text/json/tar-args; etcd status (every layout)
 * and diff on the node's own member database; the error messages of commands given bad input.
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectReferences, scanCredentials } from '../../src/scan/pki/index.js';
import { openDirectory } from '../../src/source/open.js';
import { runCli } from '../helpers/cli.js';
import { hardWayControllerComponents, kubeadmMasterComponents } from '../scan/pki/helpers.js';

export interface Renderer {
  name: string;
  render: (node: string) => Promise<string>;
  /** Needs a directory (a library call on a FileTree), not an archive. */
  directoryOnly?: boolean;
}

const NOW = new Date('2040-01-01T00:00:00Z');
const ENV = { KDIFF_NOW: NOW.toISOString() };
export const SEED_MASTER = join(process.cwd(), 'fixtures/seed-kubeadm-master');
export const SEED_HARD_WAY = join(process.cwd(), 'fixtures/seed-hard-way-controller');

let scratch: string | null = null;
function tmpFile(name: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'kdiff-leak-'));
  return join(scratch, name);
}

/** Runs the CLI in-process, returning stdout and stderr together (an error message must not leak either). */
async function cli(argv: string[]): Promise<string> {
  const r = await runCli(argv, ENV);
  return r.stdout + r.stderr;
}

/** Hand-made components for the seed trees, so referenced paths are followed too. */
function componentsFor(nodeRoot: string) {
  if (nodeRoot.endsWith(join('fixtures', 'seed-kubeadm-master'))) return kubeadmMasterComponents();
  if (nodeRoot.endsWith(join('fixtures', 'seed-hard-way-controller'))) return hardWayControllerComponents();
  return { components: [], configs: [] };
}

/** The node against the seed master (node on the left) and the seed hard-way controller (node on the right). */
async function pairs(node: string, extra: string[]): Promise<string> {
  return (await cli([node, SEED_MASTER, ...extra])) + (await cli([SEED_HARD_WAY, node, ...extra]));
}

function diffRenderer(format: string): Renderer {
  const extra = format === 'unified' ? ['--unified'] : ['--format', format];
  return { name: `kdiff <node> <seed> --${format === 'unified' ? 'unified' : `format ${format}`}`, render: (node) => pairs(node, extra) };
}

function auditRenderer(format: string): Renderer {
  return {
    name: `kdiff audit --format ${format}`,
    render: async (node) =>
      (await cli(['audit', '--baseline', SEED_MASTER, node, SEED_HARD_WAY, '--format', format, '--fail-on', 'none'])) +
      (await cli(['audit', node, SEED_MASTER, SEED_HARD_WAY, '--format', format])),
  };
}

let paths: string | null = null;

/** The node's own etcd member database, when it has one. */
function memberDb(node: string): string | null {
  const db = join(node, 'var/lib/etcd/member/snap/db');
  return existsSync(db) && statSync(node).isDirectory() ? db : null;
}

export const RENDERERS: readonly Renderer[] = [
  {
    name: 'scanCredentials (model JSON)',
    directoryOnly: true,
    render: async (root) => {
      const { tree } = openDirectory(root);
      const { components, configs } = componentsFor(root);
      const result = scanCredentials(tree, collectReferences(components, configs), { now: NOW });
      return JSON.stringify({ result, treeFindings: tree.findings() });
    },
  },
  { name: 'kdiff scan (text)', render: (node) => cli(['scan', node]) },
  { name: 'kdiff scan --format json', render: (node) => cli(['scan', node, '--format', 'json']) },
  { name: 'kdiff certs (text)', render: (node) => cli(['certs', node, '--now', NOW.toISOString()]) },
  { name: 'kdiff certs --format json', render: (node) => cli(['certs', node, '--format', 'json', '--now', NOW.toISOString()]) },
  ...['text', 'json', 'markdown', 'unified', 'junit', 'sarif'].map(diffRenderer),
  ...['text', 'json', 'markdown', 'junit', 'sarif'].map(auditRenderer),
  {
    name: 'kdiff ignore --from (a diff report and an audit report)',
    render: async (node) => {
      const report = tmpFile('report.json');
      const audit = tmpFile('audit.json');
      await cli([node, SEED_MASTER, '--format', 'json', '--output', report]);
      await cli(['audit', '--baseline', SEED_HARD_WAY, node, '--format', 'json', '--output', audit]);
      return (await cli(['ignore', '--from', report])) + (await cli(['ignore', '--from', audit]));
    },
  },
  {
    name: 'kdiff paths (text, json, tar-args)',
    render: async () => {
      paths ??= (await cli(['paths'])) + (await cli(['paths', '--format', 'json'])) + (await cli(['paths', '--format', 'tar-args', '--no-keys']));
      return paths;
    },
  },
  {
    name: "kdiff etcd status|diff on the node's member database",
    render: async (node) => {
      const db = memberDb(node);
      if (!db) return '';
      let out = '';
      for (const format of ['text', 'table', 'json', 'simple']) out += await cli(['etcd', 'status', db, '--format', format]);
      out += await cli(['etcd', 'status', db, '--encryption', '--format', 'json']);
      out += await cli(['etcd', 'diff', db, join(process.cwd(), 'fixtures/etcd/k8s-a.db'), '--format', 'json']);
      return out + (await cli(['etcd', 'diff', join(process.cwd(), 'fixtures/etcd/k8s-b.db'), db]));
    },
  },
  {
    name: 'error messages for bad input (stderr)',
    render: async (node) => {
      let out = '';
      const dir = statSync(node).isDirectory();
      // A node's files given where a node, a snapshot, a baseline or a config belongs.
      for (const file of ['etc/kubernetes/admin.conf', 'etc/kubernetes/kubelet.conf', 'var/lib/kubernetes/encryption-config.yaml', 'etc/kubernetes/pki/ca.key']) {
        const p = join(node, file);
        if (!dir || !existsSync(p)) continue;
        out += await cli(['scan', p]);
        out += await cli([p, SEED_MASTER]);
        out += await cli(['audit', '--baseline', p, SEED_MASTER]);
        out += await cli([SEED_MASTER, SEED_HARD_WAY, '--config', p]);
        out += await cli(['ignore', '--from', p]);
        out += await cli(['etcd', 'status', p]);
      }
      // The node itself where a report or an etcd snapshot belongs, and bad options around it.
      out += await cli(['ignore', '--from', node]);
      out += await cli(['etcd', 'status', node]);
      out += await cli(['scan', node, '--format', 'yaml']);
      out += await cli([node]);
      const edited = tmpFile('edited-snapshot.json');
      const snap = JSON.parse((await runCli(['scan', node, '--format', 'json'], ENV)).stdout);
      const key = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIHHZndUV4yf2Jb1dj+EcRb4aY3ORKVHE1q36NT/o4tYxoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n';
      snap.node.findings.push({ severity: 'info', code: 'edited', path: null, message: key });
      writeFileSync(edited, JSON.stringify(snap));
      out += await cli(['scan', edited]);
      out += await cli([edited, node]);
      return out;
    },
  },
];
