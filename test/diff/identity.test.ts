import { identityReplacer, nodeIdentity } from '../../src/diff/identity.js';
import { fakeKnowledge } from './fake-knowledge.js';
import { kubeadmNode, node, component, flags, config } from './nodes.js';

describe('node identity', () => {
  it('collects the name and addresses a node configures for itself, not loopback or wildcards', () => {
    const n = kubeadmNode('cp-1', '10.0.0.11');
    n.components.push(component('kube-proxy', { runMode: 'systemd', flags: flags('/x', '--bind-address=0.0.0.0', '--hostname-override=cp-1.example.com') }));
    expect(nodeIdentity(n, fakeKnowledge)).toEqual({ names: ['cp-1.example.com', 'cp-1'], ips: ['10.0.0.11'] });
  });

  it('reads identity from config files and system:node users', () => {
    const n = node({
      configs: [config('/var/lib/kube-proxy/config.yaml', 'KubeProxyConfiguration', 'kube-proxy', { hostnameOverride: 'worker-0', bindAddress: '10.240.0.20' })],
      kubeconfigs: [],
    });
    expect(nodeIdentity(n, fakeKnowledge)).toEqual({ names: ['worker-0'], ips: ['10.240.0.20'] });
  });

  it('replaces whole names and addresses only', () => {
    const r = identityReplacer({ names: ['worker-0'], ips: ['10.0.0.5'] });
    expect(r('https://10.0.0.5:2380')).toBe('https://<node-ip>:2380');
    expect(r('IP:10.0.0.5')).toBe('IP:<node-ip>');
    expect(r('10.0.0.50,10.0.0.5.1,110.0.0.5')).toBe('10.0.0.50,10.0.0.5.1,110.0.0.5');
    expect(r('system:node:worker-0')).toBe('system:node:<node-name>');
    expect(r('/var/lib/kubelet/worker-0.pem')).toBe('/var/lib/kubelet/<node-name>.pem');
    expect(r('worker-0=https://10.0.0.5:2380,worker-01=https://10.0.0.6:2380')).toBe('<node-name>=https://<node-ip>:2380,worker-01=https://10.0.0.6:2380');
    expect(r('CN=worker-0-ca@1700000000')).toBe('CN=<node-name>-ca@1700000000');
    expect(r('my-worker-0')).toBe('my-worker-0');
  });

  it('leaves text alone when nothing is known', () => {
    expect(identityReplacer({ names: [], ips: [] })('10.0.0.5')).toBe('10.0.0.5');
  });
});
