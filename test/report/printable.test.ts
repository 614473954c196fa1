import { printable, printableText } from '../../src/report/printable.js';
import { formatReport } from '../../src/index.js';
import { renderDiffText, renderEncryptionText } from '../../src/etcd/render.js';
import type { EtcdDiff } from '../../src/etcd/diff.js';
import type { DiffReport, Difference } from '../../src/model/types.js';
import { rulesFromDifferences } from '../../src/audit/rules.js';
import { load } from 'js-yaml';

const hex = (n: number): string => `\\u${n.toString(16).padStart(4, '0')}`;

describe('printableText', () => {
  it('writes line feed, tab and carriage return by name', () => {
    expect(printableText('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
  });

  it('escapes every other C0 control, DEL and every C1 control as \\u00XX', () => {
    for (let n = 0; n <= 0x9f; n++) {
      if (n >= 0x20 && n < 0x7f) continue;
      const c = String.fromCharCode(n);
      const want = c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : hex(n);
      expect(printableText(`x${c}y`)).toBe(`x${want}y`);
    }
    expect(printableText('\u001b[31mred\u001b[0m')).toBe('\\u001b[31mred\\u001b[0m');
    expect(printableText('\u0000')).toBe('\\u0000');
    expect(printableText('\u009b2J')).toBe('\\u009b2J');
  });

  it('escapes the bidi embeddings, overrides and isolates', () => {
    for (const n of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(printableText(`a${String.fromCharCode(n)}b`)).toBe(`a${hex(n)}b`);
    }
  });

  it('leaves printable text as it is, Unicode included, and returns the same string', () => {
    for (const s of ['', 'plain', '/etc/kubernetes/pki/ca.crt', 'smart “quotes” — dash', 'ünïcödé 日本語 🚀', '\u00a0nbsp', '\u200e lrm', 'back\\slash \\u001b']) {
      expect(printableText(s)).toBe(s);
    }
    // Just outside the escaped ranges.
    expect(printableText('\u0020\u007e\u00a0\u2029\u202f\u2065\u206a')).toBe('\u0020\u007e\u00a0\u2029\u202f\u2065\u206a');
  });
});

describe('printable', () => {
  it('returns the very input when no string needs escaping', () => {
    const value = { a: 'x', b: [1, 'y', null, { c: true, d: ['z'] }], e: undefined, f: 3 };
    expect(printable(value)).toBe(value);
    const list = ['a', ['b', { c: 'd' }]];
    expect(printable(list)).toBe(list);
    expect(printable('plain')).toBe('plain');
    expect(printable(42)).toBe(42);
    expect(printable(null)).toBe(null);
    expect(printable(undefined)).toBe(undefined);
  });

  it('escapes strings deep in arrays and objects, copying only the path to them', () => {
    const untouched = { keep: ['same'] };
    const sibling = ['also', 'same'];
    const value = { a: untouched, b: [sibling, { deep: ['ok', 'bad\u001b[2J'] }], c: 'fine' };
    const out = printable(value);
    expect(out).not.toBe(value);
    expect(out).toEqual({ a: { keep: ['same'] }, b: [['also', 'same'], { deep: ['ok', 'bad\\u001b[2J'] }], c: 'fine' });
    expect(out.a).toBe(untouched);
    expect(out.b[0]).toBe(sibling);
    expect(out.b).not.toBe(value.b);
    // The input is as it was.
    expect(value.b[1]).toEqual({ deep: ['ok', 'bad\u001b[2J'] });
  });

  it('escapes object keys too (a config map renders its keys), and keeps key order', () => {
    const value = { first: 1, 'evil\u202ekey': 'v\n', last: 2 };
    const out = printable(value);
    expect(Object.keys(out)).toEqual(['first', 'evil\\u202ekey', 'last']);
    expect(out).toEqual({ first: 1, 'evil\\u202ekey': 'v\\n', last: 2 });
  });

  it('never mutates, and works on deeply frozen input', () => {
    const freeze = <T>(v: T): T => {
      if (v && typeof v === 'object') {
        for (const x of Object.values(v)) freeze(x);
        Object.freeze(v);
      }
      return v;
    };
    const value = freeze({ list: [{ s: 'a\tb' }, { s: 'ok' }], n: 1 });
    const out = printable(value);
    expect(out).toEqual({ list: [{ s: 'a\\tb' }, { s: 'ok' }], n: 1 });
    expect(out.list[1]).toBe(value.list[1]);
    expect(value.list[0].s).toBe('a\tb');
  });

  it('keeps a __proto__ key a key, and leaves class instances alone', () => {
    const value = JSON.parse('{"__proto__": {"x": "a\\u001b"}, "y": 1}') as Record<string, unknown>;
    const out = printable(value);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'y']);
    expect((Object.getOwnPropertyDescriptor(out, '__proto__')?.value as { x: string }).x).toBe('a\\u001b');
    const date = new Date(0);
    const buffer = Buffer.from('\u001b');
    const withInstances = { date, buffer, s: '\u0007' };
    const copied = printable(withInstances);
    expect(copied.date).toBe(date);
    expect(copied.buffer).toBe(buffer);
    expect(copied.s).toBe('\\u0007');
  });

  it('does not loop on a cycle', () => {
    const a: { self?: unknown; s: string } = { s: 'x\u0085' };
    a.self = a;
    const out = printable(a);
    expect(out.s).toBe('x\\u0085');
  });
});

describe('library renderers escape too', () => {
  const report: DiffReport = {
    kdiff: 'report',
    schemaVersion: 1,
    left: { label: 'left\u001b[2J', style: 'kubeadm', role: 'control-plane' },
    right: { label: 'right', style: 'kubeadm', role: 'control-plane' },
    summary: { differences: 1, byCategory: { config: 1 }, bySeverity: { warning: 1 } },
    differences: [
      {
        component: 'kubelet',
        subject: 'flag',
        key: '--node-labels',
        change: 'changed',
        category: 'config',
        severity: 'warning',
        left: 'a=\u202eb',
        right: { 'k\u0007': 'v\nerror forged' },
        message: 'kubelet --node-labels is a=\u202eb on left.',
      },
    ],
  } as unknown as DiffReport;

  it('formatReport text, markdown and unified hold no raw control or bidi character; json is unchanged', () => {
    for (const format of ['text', 'markdown', 'unified'] as const) {
      const out = formatReport(report, format);
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      // The unified diff's own header quoting doubles the backslash: `--- "left\\u001b[2J/kubelet"`.
      expect(out).toContain(format === 'unified' ? 'left\\\\u001b[2J' : 'left\\u001b[2J');
      expect(out).toContain('a=\\u202eb');
      expect(out).not.toMatch(/^error forged/m);
    }
    const colour = formatReport(report, 'text', { color: 1 });
    expect(colour).toContain('\u001b[1m'); // kdiff's own bold still works
    expect(colour).toContain('left\\u001b[2J');
    expect(colour).not.toContain('\u001b[2J');
    expect(JSON.parse(formatReport(report, 'json'))).toEqual(report);
  });

  it('etcd text views escape resource names and keys', () => {
    const facts = { size: 1, createRevision: 2, modRevision: 3, version: 1, storage: 'plain' };
    const d: EtcdDiff = {
      kdiff: 'etcd-diff',
      schemaVersion: 1,
      left: { label: 'a\u001b]0;t\u0007.db', revision: 1, keys: 1 },
      right: { label: 'b.db', revision: 2, keys: 2 },
      summary: { added: 1, removed: 0, changed: 0, unchanged: 1 },
      resources: [{ resource: 'secrets\u202e', added: 1, removed: 0, changed: 0 }],
      changes: [{ key: '/registry/secrets/x', resource: 'secrets\u202e', namespace: 'ns\n', name: 'n\u009b', change: 'added', left: null, right: facts }],
    } as EtcdDiff;
    const out = renderDiffText(d);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('a\\u001b]0;t\\u0007.db');
    expect(out).toContain('+ ns\\n/n\\u009b');
    expect(out).toContain('secrets\\u202e: 1 added');
    const enc = renderEncryptionText({
      resources: [{ resource: 'r\u001b', values: 1, encrypted: 1, plain: 0, other: 0, providers: { 'aescbc:v1:k\u202e': 1 } }],
      secrets: 'absent',
      message: 'm',
    });
    expect(enc).not.toMatch(/[\u001b\u202e]/);
    expect(enc).toContain('r\\u001b');
    expect(enc).toContain('k\\u202e');
  });
});

describe('kdiff ignore rules (YAML) from a report holding control and bidi characters', () => {
  it('are printable and read back as the same strings, so they still match', () => {
    const differences = [
      { component: 'kube\u009bapiserver', subject: 'flag', key: '--x\u202e\u001b[2J', change: 'changed', category: 'config' },
      { component: null, subject: 'flag\nsubject: forged', key: 'k', change: 'added', category: 'config\u2066' },
    ] as unknown as Difference[];
    const text = rulesFromDifferences(differences);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const doc = load(text) as { ignore: Array<Record<string, string>> };
    expect(doc.ignore).toEqual([
      { subject: 'flag\nsubject: forged', key: 'k', category: 'config\u2066', change: 'added', reason: 'TODO' },
      { component: 'kube\u009bapiserver', subject: 'flag', key: '--x\u202e\u001b[2J', category: 'config', change: 'changed', reason: 'TODO' },
    ]);
  });
});
