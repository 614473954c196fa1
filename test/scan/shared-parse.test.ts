/**
 * What a fleet repeats is parsed once and shared between nodes: shared values are frozen, and
 * nothing one node's scan marks on them (its findings' component) reaches another node's model.
 */
import { loadConfigFile } from '../../src/scan/configs/index.js';
import { scanSystemd } from '../../src/scan/systemd/index.js';
import { diffNodes } from '../../src/diff/index.js';
import { scanTree } from '../../src/scan/index.js';
import { memTree } from './systemd/helpers.js';

const CONFIG = ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', 'readOnlyPort: 0', 'clusterDNS: [10.96.0.10]', 'staticPodPath: /etc/kubernetes/manifests', ''].join('\n');
const UNIT = ['[Service]', 'EnvironmentFile=-/etc/default/kubelet', 'ExecStart=/usr/bin/kubelet $KUBELET_ARGS --config=/var/lib/kubelet/config.yaml --bogus', 'Environment="A=b" BAD-NAME=1', 'this is no setting', ''].join('\n');

function node(ip: string) {
  return memTree({
    '/usr/lib/systemd/system/kubelet.service': UNIT,
    '/etc/systemd/system/multi-user.target.wants/kubelet.service': { link: '/usr/lib/systemd/system/kubelet.service' },
    '/etc/default/kubelet': `KUBELET_ARGS=--node-ip=${ip}\n`,
    '/var/lib/kubelet/config.yaml': CONFIG,
  });
}

const ref = { path: '/var/lib/kubelet/config.yaml', component: 'kubelet', flag: '--config', kind: 'KubeletConfiguration', source: 'x:1' };

describe('parses shared between nodes', () => {
  it('hands two nodes with the same config file one frozen content', () => {
    const a = loadConfigFile(node('10.0.0.1'), ref).config!;
    const b = loadConfigFile(node('10.0.0.2'), ref).config!;
    expect(a).not.toBe(b);
    expect(a.content).toBe(b.content);
    expect(Object.isFrozen(a.content)).toBe(true);
    expect(Object.isFrozen((a.content as { clusterDNS: string[] }).clusterDNS)).toBe(true);
    expect(a.content).toEqual({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', readOnlyPort: 0, clusterDNS: ['10.96.0.10'], staticPodPath: '/etc/kubernetes/manifests' });
  });

  it('gives each node its own findings of a unit file parsed once', () => {
    const a = scanSystemd(node('10.0.0.1'));
    const b = scanSystemd(node('10.0.0.2'));
    expect(a.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['systemd-syntax', 'systemd-invalid-environment']));
    expect(b.findings).toEqual(a.findings);
    for (const f of a.findings) expect(b.findings).not.toContain(f);
    expect(a.findings.every((f) => f.component === 'kubelet')).toBe(true);
    a.findings[0].message = 'changed on one node';
    expect(scanSystemd(node('10.0.0.3')).findings[0].message).not.toBe('changed on one node');
    expect(a.components[0].flags.find((f) => f.name === '--node-ip')?.value).toBe('10.0.0.1');
    expect(b.components[0].flags.find((f) => f.name === '--node-ip')?.value).toBe('10.0.0.2');
  });

  it('compares nodes sharing parses as it compares copies', () => {
    const a = scanTree(node('10.0.0.1'));
    const b = scanTree(node('10.0.0.2'));
    const copies = [structuredClone(a), structuredClone(b)];
    expect(Object.isFrozen(copies[0].configs[0].content)).toBe(false);
    expect(diffNodes(a, b)).toEqual(diffNodes(copies[0], copies[1]));
    expect(diffNodes(a, b).differences).toEqual([]);
    (copies[1].configs[0].content as Record<string, unknown>).readOnlyPort = 10255;
    expect(diffNodes(a, copies[1]).differences.map((d) => d.key)).toEqual(['--read-only-port']);
    expect(diffNodes(a, b).differences).toEqual([]);
  });
});
