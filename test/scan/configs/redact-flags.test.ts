/**
 * Which flag and field values kdiff hides: secrets become `present`, booleans and the flags whose
 * names only sound secret (`--use-service-account-credentials`, etcd's `--initial-cluster-token`)
 * stay as they are, in static pods and systemd units alike.
 */
import { isSecretKey, redactFlagValue, redactSecrets, redactValue } from '../../../src/scan/configs/redact.js';
import { scanTree } from '../../../src/scan/index.js';
import type { Component } from '../../../src/model/types.js';
import { fixtureTree, memTree } from '../static-pod/helpers.js';

function flag(c: Component | undefined, name: string): string | undefined {
  return c?.flags.filter((f) => f.name === name).pop()?.value;
}

describe('redactFlagValue', () => {
  it('keeps booleans and the reference flags that are not secrets', () => {
    expect(redactFlagValue('--use-service-account-credentials', 'true')).toBe('true');
    expect(redactFlagValue('--use-service-account-credentials', 'false')).toBe('false');
    expect(redactFlagValue('--initial-cluster-token', 'etcd-cluster-0')).toBe('etcd-cluster-0');
    expect(redactFlagValue('--auth-token', 'jwt,pub-key=/etc/etcd/jwt.pub,priv-key=/etc/etcd/jwt.key,sign-method=RS256')).toBe(
      'jwt,pub-key=/etc/etcd/jwt.pub,priv-key=/etc/etcd/jwt.key,sign-method=RS256',
    );
    expect(redactFlagValue('--token-auth-file', '/var/lib/kubernetes/tokens.csv')).toBe('/var/lib/kubernetes/tokens.csv');
    expect(redactFlagValue('--service-account-private-key-file', '/etc/kubernetes/pki/sa.key')).toBe('/etc/kubernetes/pki/sa.key');
    expect(redactFlagValue('--v', '2')).toBe('2');
  });

  it('hides real secret values, keeps an empty one empty', () => {
    expect(redactFlagValue('--etcd-password', 'hunter2-hunter2')).toBe('present');
    expect(redactFlagValue('--bootstrap-token', 'abcdef.0123456789abcdef')).toBe('present');
    expect(redactFlagValue('--client-secret', 'TRUE-ish-but-not-boolean')).toBe('present');
    expect(redactFlagValue('--etcd-password', '')).toBe('');
  });

  it('is what isSecretKey and redactValue say', () => {
    expect(isSecretKey('--use-service-account-credentials')).toBe(false);
    expect(isSecretKey('--initial-cluster-token')).toBe(false);
    expect(isSecretKey('--credentials')).toBe(true);
    expect(isSecretKey('token')).toBe(true);
    expect(redactValue(true)).toBe(true);
    expect(redactValue('false')).toBe('false');
    expect(redactValue(12345678)).toBe('present'); // a numeric password is still a password
  });

  it('keeps boolean config fields under secret-sounding names', () => {
    const out = redactSecrets({ enableBootstrapToken: true, token: 'abcdef.0123456789abcdef', password: false }) as Record<string, unknown>;
    expect(out).toEqual({ enableBootstrapToken: true, token: 'present', password: false });
  });
});

describe('flags in the model', () => {
  it('keeps --use-service-account-credentials=true on the seed kubeadm master (static pod)', () => {
    const model = scanTree(fixtureTree('seed-kubeadm-master'), {});
    const cm = model.components.find((c) => c.name === 'kube-controller-manager');
    expect(flag(cm, '--use-service-account-credentials')).toBe('true');
  });

  it('keeps --use-service-account-credentials=true and the etcd cluster token on the seed hard-way controller (systemd)', () => {
    const model = scanTree(fixtureTree('seed-hard-way-controller'), {});
    const cm = model.components.find((c) => c.name === 'kube-controller-manager');
    expect(flag(cm, '--use-service-account-credentials')).toBe('true');
    const etcd = model.components.find((c) => c.name === 'etcd');
    expect(flag(etcd, '--initial-cluster-token')).toBe('etcd-cluster-0');
  });

  it('hides a secret given as a flag, in a unit and in a manifest, and keeps its source', () => {
    const tree = memTree({
      '/etc/systemd/system/flanneld.service': '[Service]\nExecStart=/usr/local/bin/kube-apiserver --etcd-password=s3cr3t-from-unit --token-auth-file=/var/lib/kubernetes/token.csv --anonymous-auth=false\n',
      '/etc/kubernetes/manifests/kube-scheduler.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler\nspec:\n  containers:\n  - name: kube-scheduler\n    command:\n    - kube-scheduler\n    - --client-secret=s3cr3t-from-pod\n    - --leader-elect=true\n',
    });
    const model = scanTree(tree, {});
    const json = JSON.stringify(model);
    expect(json).not.toContain('s3cr3t');
    const api = model.components.find((c) => c.name === 'kube-apiserver');
    expect(api?.flags.find((f) => f.name === '--etcd-password')).toEqual(expect.objectContaining({ value: 'present', source: '/etc/systemd/system/flanneld.service:2' }));
    expect(flag(api, '--token-auth-file')).toBe('/var/lib/kubernetes/token.csv');
    expect(flag(api, '--anonymous-auth')).toBe('false');
    const sched = model.components.find((c) => c.name === 'kube-scheduler');
    expect(flag(sched, '--client-secret')).toBe('present');
    expect(flag(sched, '--leader-elect')).toBe('true');
  });
});

describe('maskSecrets (pieces of a file quoted in findings)', () => {
  it('masks secret flag values, secret variables, tokens, key blocks and base64 runs; keeps the rest', async () => {
    const { maskSecrets } = await import('../../../src/scan/configs/redact.js');
    expect(maskSecrets('ExecStart=/usr/local/bin/kube-apiserver --client-cert-auth --etcd-password=hunter2pw --runtime-config=“api/all=true”')).toBe(
      'ExecStart=/usr/local/bin/kube-apiserver --client-cert-auth --etcd-password=present --runtime-config=“api/all=true”',
    );
    expect(maskSecrets('--etcd-password hunter2pw --v 2')).toBe('--etcd-password present --v 2');
    expect(maskSecrets('—-etcd-password=hunter2pw')).toBe('—-etcd-password=present');
    expect(maskSecrets('ETCD_PASSWORD="s3cr3t value" OTHER=1')).toBe('ETCD_PASSWORD=present OTHER=1');
    expect(maskSecrets('token: abcdef.0123456789abcdef')).toBe('token: present');
    expect(maskSecrets('join with abcdef.0123456789abcdef')).toBe('join with <token>');
    expect(maskSecrets('MIIEowIBAAKCAQEAuFakeKeyBodyForTheTest0123456789')).toBe('<base64>');
    expect(maskSecrets('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')).toBe('<private key>');
    for (const kept of ['--use-service-account-credentials=true --initial-cluster-token etcd-cluster-0', '--token-auth-file=/var/lib/kubernetes/token.csv', 'KUBELET_EXTRA_ARGS=--node-ip=10.0.0.1']) {
      expect(maskSecrets(kept)).toBe(kept);
    }
  });

  it('a flag written with a typographic dash is a finding, and kept masked as an argument', () => {
    const model = scanTree(
      memTree({
        '/etc/kubernetes/manifests/kube-scheduler.yaml':
          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler\nspec:\n  containers:\n  - name: kube-scheduler\n    command:\n    - kube-scheduler\n    - \u2014-client-secret=s3cr3t-dash\n    - \u2013leader-elect=true\n',
      }),
      {},
    );
    const dash = model.findings.filter((f) => f.code === 'flag-typographic-dash');
    expect(dash.map((f) => [f.path, f.line])).toEqual([
      ['/etc/kubernetes/manifests/kube-scheduler.yaml', 10],
      ['/etc/kubernetes/manifests/kube-scheduler.yaml', 11],
    ]);
    expect(JSON.stringify(model)).not.toContain('s3cr3t');
    expect(model.components[0].args).toEqual(['\u2014-client-secret=present', '\u2013leader-elect=true']);
  });
});
