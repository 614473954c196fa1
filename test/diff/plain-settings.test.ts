/**
 * componentSettings makes the settings of a kept (shared, frozen) config file once for every node
 * whose identity the file does not hold: each node must get the settings it would get from its own
 * copy of the file, flags on the command line still win, and a secret is fingerprinted afresh.
 */
import { componentSettings } from '../../src/diff/settings.js';
import { identityReplacer } from '../../src/diff/identity.js';
import type { DiffKnowledge } from '../../src/diff/knowledge.js';
import type { Component, ConfigFile, NodeModel } from '../../src/model/types.js';
import { freezeShared } from '../../src/util/memo.js';
import { fakeKnowledge } from './fake-knowledge.js';

/** The fake knowledge, plus a config field mirroring a secret flag. */
const knowledge: DiffKnowledge = {
  ...fakeKnowledge,
  flagForConfigField: (kind, field) => (field === 'bootstrapToken' ? '--bootstrap-token' : fakeKnowledge.flagForConfigField(kind, field)),
};

const DOC = {
  kind: 'KubeletConfiguration',
  cgroupDriver: 'systemd',
  readOnlyPort: 0,
  clusterDNS: ['10.96.0.10'],
  bootstrapToken: 'abcdef.0123456789abcdef',
  staticPodPath: '/etc/kubernetes/manifests',
  evictionHard: {},
  nodeLabels: ['zone-a', 'rack-1'],
};

function node(content: unknown, path: string, flags: Array<[string, string]>): { model: NodeModel; kubelet: Component } {
  const kubelet = {
    name: 'kubelet',
    flags: flags.map(([name, value]) => ({ name, value, source: '/etc/default/kubelet:1', overridden: false })),
  } as unknown as Component;
  const cfg = { path, kind: 'KubeletConfiguration', component: 'kubelet', content } as unknown as ConfigFile;
  return { model: { components: [kubelet], configs: [cfg] } as unknown as NodeModel, kubelet };
}

function settingsOf(content: unknown, path: string, flags: Array<[string, string]>, id: { names: string[]; ips: string[] }) {
  const { model, kubelet } = node(content, path, flags);
  const s = componentSettings(model, kubelet, 'kubelet', knowledge, identityReplacer(id));
  return [...s.settings.entries()].map(([k, v]) => [k, { ...v }]);
}

describe('componentSettings of a kept config file', () => {
  it('gives each node the settings of its own copy, whatever the order of nodes, paths and flags', () => {
    const shared = freezeShared(structuredClone(DOC));
    const cases: Array<[string, Array<[string, string]>, { names: string[]; ips: string[] }]> = [
      ['/var/lib/kubelet/config.yaml', [['--hostname-override', 'w1']], { names: ['w1'], ips: ['10.1.0.1'] }],
      ['/var/lib/kubelet/config.yaml', [['--hostname-override', 'w2'], ['--cgroup-driver', 'cgroupfs']], { names: ['w2'], ips: ['10.1.0.2'] }],
      ['/etc/kubelet/config.yaml', [], { names: ['w3'], ips: [] }],
      // The file holds this node's address: its texts are replaced field by field.
      ['/var/lib/kubelet/config.yaml', [], { names: ['rack-1'], ips: ['10.96.0.10'] }],
      ['/var/lib/kubelet/config.yaml', [['--read-only-port', '10255']], { names: ['w4'], ips: [] }],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [path, flags, id] of cases) {
        expect(settingsOf(shared, path, flags, id)).toEqual(settingsOf(structuredClone(DOC), path, flags, id));
      }
    }
  });

  it('lets a flag on the command line win and never keeps a secret', () => {
    const shared = freezeShared(structuredClone(DOC));
    const { model, kubelet } = node(shared, '/var/lib/kubelet/config.yaml', [['--cgroup-driver', 'cgroupfs']]);
    const id = identityReplacer({ names: ['w1'], ips: [] });
    const a = componentSettings(model, kubelet, 'kubelet', knowledge, id);
    const b = componentSettings(model, kubelet, 'kubelet', knowledge, id);
    expect(a.settings.get('--cgroup-driver')?.display).toBe('cgroupfs');
    expect(a.settings.get('--cgroup-driver')?.fromFile).toBeUndefined();
    const secret = a.settings.get('--bootstrap-token');
    expect(secret?.display).toMatch(/^present \(sha256:[0-9a-f]{12}\)$/);
    expect(secret).toEqual(b.settings.get('--bootstrap-token'));
    expect(secret).not.toBe(b.settings.get('--bootstrap-token'));
    expect(Object.isFrozen(secret)).toBe(false);
  });
});
