/**
 * diffNodes keeps (frozen) what it derives from config files, to reuse it for the next node of a
 * fleet. It must never freeze anything of the models it is given: a model loaded from a snapshot or
 * built by a library user is the caller's own, to change afterwards.
 */
import { join } from 'node:path';
import { openDirectory } from '../../src/source/open.js';
import { scanTree } from '../../src/scan/index.js';
import { diffNodes } from '../../src/diff/index.js';
import type { NodeModel } from '../../src/model/types.js';
import { anyFrozen } from '../helpers/frozen.js';

const ROOT = new URL('../../', import.meta.url).pathname;
// Its KubeletConfiguration holds empty mappings (`memorySwap: {}`, `crashLoopBackOff: {}`), as kubeadm writes them.
const NODE = join(ROOT, 'fixtures/corpus/kubeadm-transcript-v1.33.2/v1.33.2');

test("diffNodes freezes nothing of the caller's models (empty mappings in a config file included)", async () => {
  const model = await scanTree(openDirectory(NODE).tree);
  // A plain copy, as loadSnapshot or JSON.parse gives it.
  const left = structuredClone(model) as NodeModel;
  const right = structuredClone(model) as NodeModel;
  const cfg = left.configs.find((c) => c.kind === 'KubeletConfiguration');
  expect(cfg).toBeDefined();
  const content = cfg!.content as Record<string, Record<string, unknown>>;
  expect(content.memorySwap).toEqual({});
  expect(diffNodes(left, right).differences).toEqual([]);
  expect(anyFrozen(left)).toBeNull();
  expect(anyFrozen(right)).toBeNull();
  content.memorySwap.swapBehavior = 'LimitedSwap';
  expect(content.memorySwap).toEqual({ swapBehavior: 'LimitedSwap' });
});
