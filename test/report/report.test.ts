import { readFileSync, writeFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { diffNodes } from '../../src/diff/index.js';
import { normalizedView } from '../../src/diff/view.js';
import { formatReport, type ReportFormat } from '../../src/report/index.js';
import { wrap } from '../../src/report/text.js';
import type { NodeModel } from '../../src/model/types.js';
import { fakeKnowledge } from '../diff/fake-knowledge.js';
import { cert, clone, component, flags, kubeadmNode, kubeconfig } from '../diff/nodes.js';

/** Golden files are rewritten only with UPDATE_GOLDEN=1. */
function golden(name: string, actual: string): void {
  const path = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** A hard-way-like controller against the kubeadm one: run modes, layout, roles, a weaker flag. */
function hardWay(): NodeModel {
  const n = kubeadmNode('controller-0', '10.240.0.10');
  n.style = 'hard-way';
  const unit = '/etc/systemd/system/kube-apiserver.service';
  const api = n.components.find((c) => c.name === 'kube-apiserver')!;
  Object.assign(api, {
    runMode: 'systemd', image: null, binary: '/usr/local/bin/kube-apiserver', enabled: true, sources: [unit], unit: 'kube-apiserver.service',
    flags: flags(unit, '--advertise-address=10.240.0.10', '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NamespaceLifecycle,NodeRestriction,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota',
      '--etcd-servers=http://127.0.0.1:2379', '--event-ttl=1h', '--tls-cert-file=/var/lib/kubernetes/kubernetes.pem', '--anonymous-auth=true'),
  });
  n.certificates[0] = cert('/var/lib/kubernetes/kubernetes.pem', {
    roles: ['kube-apiserver:etcd-client', 'kube-apiserver:serving'], subject: 'CN=kubernetes, O=Kubernetes',
    sans: ['IP:10.32.0.1', 'IP:10.240.0.10', 'IP:127.0.0.1', 'DNS:kubernetes.default'], status: 'expiring',
  });
  n.kubeconfigs[0] = kubeconfig('/var/lib/kubernetes/kube-scheduler.kubeconfig', { server: 'https://127.0.0.1:6443' });
  n.components.push(component('kube-proxy', { runMode: 'systemd' }));
  return n;
}

const left = kubeadmNode('cp-1', '10.0.0.11');
const right = hardWay();
const report = diffNodes(left, right, { knowledge: fakeKnowledge, labels: { left: 'kubeadm-cp-1.json', right: 'hard-way-controller-0.json' } });
const views = { left: normalizedView(left, { knowledge: fakeKnowledge }), right: normalizedView(right, { knowledge: fakeKnowledge }) };

describe('report formats', () => {
  it('has differences of every kind to show', () => {
    const cats = new Set(report.differences.map((d) => d.category));
    expect([...cats].sort()).toEqual(['certificate', 'config', 'layout', 'presence', 'run-mode', 'security']);
  });

  it.each([
    ['text', 'text.txt'],
    ['json', 'report.json'],
    ['markdown', 'report.md'],
  ] as Array<[ReportFormat, string]>)('renders %s like its golden file', (format, file) => {
    golden(file, formatReport(report, format));
  });

  it('renders --unified from the normalized nodes, and from the report alone', () => {
    golden('unified.diff', formatReport(report, 'unified', { views }));
    golden('unified-report-only.diff', formatReport(report, 'unified'));
  });

  it('writes JSON that parses back to the report, with a trailing newline', () => {
    const text = formatReport(report, 'json');
    expect(JSON.parse(text)).toEqual(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "differences": [');
  });

  it('colours text only with a colour-enabled chalk, and the words stay the same', () => {
    const plain = formatReport(report, 'text', { chalk: new Chalk({ level: 0 }) });
    const coloured = formatReport(report, 'text', { chalk: new Chalk({ level: 1 }) });
    expect(plain).not.toMatch(/\u001b\[/);
    expect(coloured).toMatch(/\u001b\[31m/);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
    expect(formatReport(report, 'json', { chalk: new Chalk({ level: 1 }) })).not.toMatch(/\u001b\[/);
  });

  it('says so when there is nothing to report', () => {
    const same = diffNodes(left, clone(left), { knowledge: fakeKnowledge });
    expect(formatReport(same, 'text')).toBe('left:  left (kubeadm, control-plane)\nright: right (kubeadm, control-plane)\n\nNo differences.\n');
    expect(formatReport(same, 'markdown')).toContain('**No differences.**');
    expect(formatReport(same, 'unified')).toBe('No differences.\n');
  });

  it('keeps Markdown tables intact whatever the values hold', () => {
    const r = clone(report);
    r.differences = [{ ...r.differences[0], left: 'a|b', right: 'x`y', message: 'pipe | and <b>tag</b>.' }];
    const md = formatReport(r, 'markdown');
    const row = md.split('\n').find((l) => l.includes('a\\|b'))!;
    expect(row).toContain('`` x`y ``');
    expect(row).toContain('pipe \\| and &lt;b&gt;tag&lt;/b&gt;.');
    expect(row.split(/(?<!\\)\|/).length).toBe(8);
  });

  it('wraps long values at separators', () => {
    expect(wrap('NamespaceLifecycle,NodeRestriction,LimitRanger', 20)).toEqual(['NamespaceLifecycle,', 'NodeRestriction,', 'LimitRanger']);
    expect(wrap('short', 20)).toEqual(['short']);
    expect(wrap('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});
