import { parseConfig, ConfigError, filterReport, rulesFromDifferences, ruleExpired, parseFailOn } from '../../src/audit/rules.js';
import type { Difference, DiffReport } from '../../src/model/types.js';

function diff(over: Partial<Difference>): Difference {
  return {
    component: 'kube-apiserver',
    subject: 'flag',
    key: '--service-cluster-ip-range',
    change: 'changed',
    category: 'config',
    severity: 'warning',
    left: '10.96.0.0/12',
    right: '10.32.0.0/24',
    message: 'kube-apiserver --service-cluster-ip-range differs.',
    ...over,
  };
}

function report(differences: Difference[]): DiffReport {
  return {
    kdiff: 'report',
    schemaVersion: 1,
    left: { label: 'a', style: 'kubeadm', role: 'control-plane' },
    right: { label: 'b', style: 'kubeadm', role: 'control-plane' },
    differences,
    summary: { differences: differences.length, byCategory: {}, bySeverity: {} },
  };
}

const ISSUE_EXAMPLE = `ignore:
  - component: kube-apiserver          # each field optional but reason; key may be a glob
    key: --service-cluster-ip-range
    category: config
    reason: service range moved on purpose
    until: 2027-01-31                  # an expired rule is reported, and stops applying
failOn: [security, config]
expiringDays: 30
`;

describe('kdiff.yaml', () => {
  it('parses the documented example', () => {
    const c = parseConfig(ISSUE_EXAMPLE);
    expect(c.failOn).toEqual(['security', 'config']);
    expect(c.expiringDays).toBe(30);
    expect(c.ignore).toEqual([
      {
        component: 'kube-apiserver',
        key: '--service-cluster-ip-range',
        category: 'config',
        reason: 'service range moved on purpose',
        until: '2027-01-31',
        line: 2,
      },
    ]);
  });

  it('names an unknown top-level key and its line', () => {
    expect(() => parseConfig('ignore: []\nfailon: [security]\n', 'ci/kdiff.yaml')).toThrow(
      new ConfigError('ci/kdiff.yaml:2: unknown key "failon" (known: ignore, failOn, expiringDays)'),
    );
  });

  it('names an unknown key inside a rule and its line', () => {
    const text = 'ignore:\n  - component: etcd\n    reason: ok\n  - component: kubelet\n    keys: --v\n    reason: typo\n';
    expect(() => parseConfig(text)).toThrow(/kdiff\.yaml:5: unknown key "keys" in an ignore rule/);
  });

  it('requires a reason on every rule', () => {
    expect(() => parseConfig('ignore:\n  - component: etcd\n')).toThrow(/kdiff\.yaml:2: every ignore rule needs a reason/);
  });

  it('rejects unknown categories and bad dates', () => {
    expect(() => parseConfig('failOn: [securty]\n')).toThrow(/unknown category "securty"/);
    expect(() => parseConfig('ignore:\n  - reason: x\n    until: soon\n')).toThrow(/until must be a date/);
    expect(() => parseConfig('ignore: [\n')).toThrow(/not valid YAML/);
  });

  it('parses --fail-on lists', () => {
    expect(parseFailOn('security,config')).toEqual(['security', 'config']);
    expect(parseFailOn('all')).toHaveLength(7);
    expect(parseFailOn('none')).toEqual([]);
    expect(() => parseFailOn('security,bogus')).toThrow(/unknown category "bogus"/);
  });
});

describe('ignore rules', () => {
  const now = new Date('2026-06-01T12:00:00Z');

  it('drop exactly what they name, and recompute the summary', () => {
    const rules = parseConfig(ISSUE_EXAMPLE).ignore;
    const other = diff({ key: '--authorization-mode', category: 'security', left: 'Node,RBAC', right: 'AlwaysAllow' });
    const out = filterReport(report([diff({}), other, diff({ component: 'kube-controller-manager' })]), rules, now);
    expect(out.differences.map((d) => `${d.component} ${d.key}`)).toEqual([
      'kube-apiserver --authorization-mode',
      'kube-controller-manager --service-cluster-ip-range',
    ]);
    expect(out.summary).toEqual({ differences: 2, byCategory: { security: 1, config: 1 }, bySeverity: { warning: 2 } });
    expect(out.ignored).toEqual({ rules: 1, differences: 1, expiredRules: [] });
  });

  it('match keys by glob', () => {
    const rules = parseConfig('ignore:\n  - key: "--audit-*"\n    reason: audit settings are per node\n').ignore;
    const out = filterReport(report([diff({ key: '--audit-log-path' }), diff({ key: '--audit-log-maxage' }), diff({ key: '--v' })]), rules, now);
    expect(out.differences.map((d) => d.key)).toEqual(['--v']);
  });

  it('stop applying after their until day, and are reported', () => {
    const rules = parseConfig('ignore:\n  - key: --v\n    reason: r\n    until: 2026-05-31\n').ignore;
    expect(ruleExpired(rules[0], new Date('2026-05-31T23:59:59Z'))).toBe(false);
    expect(ruleExpired(rules[0], new Date('2026-06-01T00:00:00Z'))).toBe(true);
    const out = filterReport(report([diff({ key: '--v' })]), rules, now);
    expect(out.differences).toHaveLength(1);
    expect(out.ignored?.expiredRules).toEqual(['key=--v (until 2026-05-31, line 2)']);
  });

  it('written by `ignore --from` accept the report they came from', () => {
    const ds = [diff({}), diff({ component: null, subject: 'node', key: 'style', category: 'run-mode' }), diff({})];
    const text = rulesFromDifferences(ds);
    expect(text).toContain('reason: TODO');
    const rules = parseConfig(text).ignore;
    expect(rules).toHaveLength(2);
    expect(filterReport(report(ds), rules, now).differences).toEqual([]);
  });
});
