import { formatReport } from '../../src/report/index.js';
import type { DiffReport } from '../../src/model/types.js';

const report: DiffReport = {
  kdiff: 'report',
  schemaVersion: 1,
  left: { label: 'a', style: 'kubeadm', role: 'worker' },
  right: { label: 'b', style: 'kubeadm', role: 'worker' },
  differences: [],
  summary: { differences: 0, byCategory: {}, bySeverity: {} },
  ignored: { rules: 2, differences: 3, expiredRules: ['key=--v (until 2026-01-31, line 4)'] },
};

describe('what kdiff.yaml accepted', () => {
  it.each(['text', 'markdown'] as const)('is said in the %s report, expired rules included', (format) => {
    const out = formatReport(report, format);
    expect(out).toContain('3 differences accepted by 2 ignore rules.');
    expect(out).toContain('Expired ignore rule, no longer applied: key=--v (until 2026-01-31, line 4).');
  });

  it('is not mentioned when no rules were given', () => {
    const { ignored, ...plain } = report;
    void ignored;
    expect(formatReport(plain, 'text')).not.toContain('ignore rule');
  });
});
