import { gzipSync } from 'node:zlib';
import { scanTree } from '../../src/scan/index.js';
import { openDirectory } from '../../src/source/open.js';
import { openTarBuffer } from '../../src/source/tar.js';
import { writeFileSync } from 'node:fs';
import { buildHostileTarball, buildHostileTree } from '../helpers/hostile.js';
it('probe', async () => {
  const h = await buildHostileTree();
  const t0 = Date.now();
  const model = scanTree(openDirectory(h.root).tree, { now: new Date('2025-06-01T00:00:00Z') });
  const ms = Date.now() - t0;
  writeFileSync('/tmp/q/tree.json', JSON.stringify({ ms, findings: model.findings, comps: model.components.map((c) => [c.name, c.runMode, c.sources, c.flags.length]), certs: model.certificates.map((c) => c.path), kc: model.kubeconfigs.map((k) => k.path), style: model.style, role: model.role }, null, 1));
  const { tree } = await openTarBuffer(buildHostileTarball(), { label: 'hostile.tar' });
  const m2 = scanTree(tree, {});
  writeFileSync('/tmp/q/tar.json', JSON.stringify({ findings: m2.findings, comps: m2.components.map((c) => [c.name, c.runMode, c.sources, c.flags.length]), certs: m2.certificates.map((c) => c.path) }, null, 1));
  writeFileSync('/tmp/q/hostile.tgz', gzipSync(buildHostileTarball()));
  h.cleanup();
}, 60000);
