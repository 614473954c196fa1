/**
 * Every way kdiff turns a node into bytes, for the secret hunt in leak.test.ts. Add a renderer here
 * when a new output format or command lands; each takes a fixture node root and returns its output.
 */
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { collectReferences, scanCredentials } from '../../src/scan/pki/index.js';
import { openDirectory } from '../../src/source/open.js';
import { hardWayControllerComponents, kubeadmMasterComponents } from '../scan/pki/helpers.js';

export interface Renderer {
  name: string;
  render: (nodeRoot: string) => Promise<string>;
}

const NOW = new Date('2040-01-01T00:00:00Z');

/** Runs the CLI in-process, returning stdout and stderr together (an error message must not leak either). */
async function cli(argv: string[]): Promise<string> {
  let out = '';
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: process.cwd() };
  await main(argv, io);
  return out;
}

/** Hand-made components for the seed trees, so referenced paths are followed too. */
function componentsFor(nodeRoot: string) {
  if (nodeRoot.endsWith(join('fixtures', 'seed-kubeadm-master'))) return kubeadmMasterComponents();
  if (nodeRoot.endsWith(join('fixtures', 'seed-hard-way-controller'))) return hardWayControllerComponents();
  return { components: [], configs: [] };
}

export const RENDERERS: readonly Renderer[] = [
  {
    name: 'scanCredentials (model JSON)',
    render: async (root) => {
      const { tree } = openDirectory(root);
      const { components, configs } = componentsFor(root);
      const result = scanCredentials(tree, collectReferences(components, configs), { now: NOW });
      return JSON.stringify({ result, treeFindings: tree.findings() });
    },
  },
  { name: 'kdiff certs (text)', render: (root) => cli(['certs', root, '--now', NOW.toISOString()]) },
  { name: 'kdiff certs --format json', render: (root) => cli(['certs', root, '--format', 'json', '--now', NOW.toISOString()]) },
];
