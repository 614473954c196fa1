/**
 * Nodes whose config file is a kept (shared, frozen) document compare only the settings that may
 * differ from the reference's (settingsAlike), and take the file's settings as one copied map: the
 * reports must be those of the same nodes with their own copy of the file, compared key by key.
 */
import { createDiffMemo, diffNodes } from '../../src/diff/index.js';
import { componentSettings } from '../../src/diff/settings.js';
import { identityReplacer } from '../../src/diff/identity.js';
import type { Component, ConfigFile, NodeModel } from '../../src/model/types.js';
import { freezeShared } from '../../src/util/memo.js';
import { fakeKnowledge as knowledge } from './fake-knowledge.js';

const DOC = {
  kind: 'KubeletConfiguration',
  cgroupDriver: 'systemd',
  readOnlyPort: 0,
  clusterDNS: ['10.96.0.10'],
  staticPodPath: '/etc/kubernetes/manifests',
  evictionHard: {},
  unset: null,
  nodeLabels: ['zone-a', 'rack-1'],
};

function node(name: string, content: unknown, flags: Array<[string, string]>): NodeModel {
  const kubelet = {
    name: 'kubelet', runMode: 'systemd', version: null, enabled: null, image: null, binary: null, sources: [], args: null,
    flags: flags.map(([flag, value]) => ({ name: flag, value, source: '/etc/default/kubelet:1', overridden: false })),
  } as unknown as Component;
  const cfg = { path: '/var/lib/kubelet/config.yaml', kind: 'KubeletConfiguration', component: 'kubelet', content } as unknown as ConfigFile;
  return {
    style: 'kubeadm', role: 'worker', components: [kubelet], configs: [cfg], certificates: [], kubeconfigs: [], extraStaticPods: [],
    hostname: name,
  } as unknown as NodeModel;
}

const FLAGS: Array<Array<[string, string]>> = [
  [['--hostname-override', 'w1']],
  [['--hostname-override', 'w2'], ['--cgroup-driver', 'cgroupfs']],
  [],
  [['--read-only-port', '10255'], ['--hostname-override', 'w4']],
  // A flag with the key of a field that mirrors none: the field wins, as it is set after the flags.
  [['KubeletConfiguration.nodeLabels', 'x'], ['--hostname-override', 'w5']],
  [['--hostname-override', 'w1']],
];

const sorted = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

test('a kept file gives each node the settings and report of its own copy', () => {
  const reference = node('ref', structuredClone(DOC), [['--hostname-override', 'ref'], ['--max-pods', '50']]);
  const docs = [freezeShared(structuredClone(DOC)), freezeShared({ ...structuredClone(DOC), readOnlyPort: 10255, extra: 'x' })];
  const memo = createDiffMemo();
  for (let round = 0; round < 2; round++) {
    for (const [i, flags] of FLAGS.entries()) {
      for (const doc of docs) {
        const kept = node(`w${i}`, doc, flags);
        const own = node(`w${i}`, structuredClone(doc), flags);
        const id = identityReplacer({ names: [`w${i}`], ips: [] });
        const k = componentSettings(kept, kept.components[0], 'kubelet', knowledge, id);
        const o = componentSettings(own, own.components[0], 'kubelet', knowledge, id);
        expect(sorted(k.settings)).toEqual(sorted(o.settings));
        const expected = diffNodes(reference, own, { knowledge });
        expect(diffNodes(reference, kept, { knowledge, memo })).toEqual(expected);
        expect(diffNodes(reference, kept, { knowledge })).toEqual(expected);
      }
    }
  }
});
