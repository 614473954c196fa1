import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeTime, formatIp, readTlv } from '../../../src/scan/pki/der.js';
import { parseKubeconfig, readPem } from '../../../src/scan/pki/index.js';
import { formatName, parseCertificate } from '../../../src/scan/pki/x509.js';
import { FIXTURES } from './helpers.js';

const PKI = join(FIXTURES, 'pki-cases/etc/kubernetes/pki');

describe('readPem', () => {
  it('reads a chain file block by block, with lines', () => {
    const r = readPem(readFileSync(join(PKI, 'chain.crt')));
    expect(r.format).toBe('pem');
    expect(r.blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'CERTIFICATE']);
    expect(r.blocks[0].line).toBe(1);
    expect(r.problems).toEqual([]);
  });

  it('tells empty, DER, plain text and truncated apart', () => {
    expect(readPem(Buffer.alloc(0)).format).toBe('empty');
    expect(readPem(' \n\n').format).toBe('empty');
    expect(readPem(readFileSync(join(PKI, 'der.crt'))).format).toBe('der');
    expect(readPem('REDACTED\n').format).toBe('text');
    const t = readPem(readFileSync(join(PKI, 'truncated.crt')));
    expect(t).toMatchObject({ format: 'pem', blocks: [], problems: [{ kind: 'truncated', label: 'CERTIFICATE', line: 1 }] });
  });

  it('flags bad base64 and keeps the good blocks around it', () => {
    const good = readFileSync(join(PKI, 'ca.crt'), 'utf8');
    const r = readPem(`${good}-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n${good}`);
    expect(r.blocks).toHaveLength(2);
    expect(r.problems).toEqual([{ kind: 'bad-base64', label: 'CERTIFICATE', line: good.split('\n').length }]);
  });

  it('tolerates CRLF line ends and text around blocks', () => {
    const good = readFileSync(join(PKI, 'ca.crt'), 'utf8');
    const r = readPem(`subject=CN = kubernetes\r\n${good.replace(/\n/g, '\r\n')}trailing words`);
    expect(r.blocks).toHaveLength(1);
    expect(r.problems).toEqual([]);
  });

  it('never throws and is deterministic on arbitrary bytes and PEM-like text', () => {
    const pemLike = fc.array(
      fc.oneof(
        fc.constantFrom('-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN RSA PRIVATE KEY-----', '-----END X-----', 'Proc-Type: 4,ENCRYPTED', ''),
        fc.base64String({ maxLength: 80 }),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)), pemLike.map((l) => Buffer.from(l.join('\n')))), (buf) => {
        const a = readPem(buf);
        const b = readPem(Buffer.from(buf));
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      }),
      { numRuns: 400 },
    );
  });

  it('parseCertificate never throws on what the PEM reader gives it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = parseCertificate(Buffer.from(bytes));
        expect('error' in r || 'cert' in r).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('DER helpers', () => {
  it('formats IPv4 and compresses IPv6 as RFC 5952 says', () => {
    expect(formatIp(Uint8Array.from([10, 96, 0, 1]))).toBe('10.96.0.1');
    expect(formatIp(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))).toBe('::1');
    expect(formatIp(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]))).toBe('2001:db8::1:0:0:1');
    expect(formatIp(Uint8Array.from([1, 2, 3]))).toBeNull();
  });

  it('reads UTCTime with the 1950 pivot and GeneralizedTime', () => {
    const utc = (s: string) => Buffer.concat([Buffer.from([0x17, s.length]), Buffer.from(s)]);
    const gen = (s: string) => Buffer.concat([Buffer.from([0x18, s.length]), Buffer.from(s)]);
    const t = (b: Buffer) => decodeTime(b, readTlv(b, 0)!);
    expect(t(utc('461001100000Z'))).toBe('2046-10-01T10:00:00Z');
    expect(t(utc('991231235959Z'))).toBe('1999-12-31T23:59:59Z');
    expect(t(gen('20510101000000Z'))).toBe('2051-01-01T00:00:00Z');
    expect(t(utc('461301100000Z'))).toBeNull();
  });

  it('prints names most specific first, escaped as RFC 4514 says', () => {
    expect(formatName([{ type: 'O', value: 'system:masters' }, { type: 'CN', value: 'kube-apiserver-kubelet-client' }])).toBe(
      'CN=kube-apiserver-kubelet-client,O=system:masters',
    );
    expect(formatName([{ type: 'CN', value: 'a,b+c' }])).toBe('CN=a\\,b\\+c');
    expect(formatName([{ type: 'CN', value: ' lead\nline' }])).toBe('CN=\\ lead\\0aline');
  });
});

describe('parseKubeconfig', () => {
  it('follows current-context to its cluster and user', () => {
    const r = parseKubeconfig(`apiVersion: v1
kind: Config
clusters:
- {name: a, cluster: {server: https://a:6443, certificate-authority: ca.crt}}
- {name: b, cluster: {server: https://b:6443, insecure-skip-tls-verify: true}}
users:
- {name: u1, user: {token: abcdef.0123456789abcdef}}
- {name: u2, user: {client-certificate: c.crt, client-key: c.key}}
contexts:
- {name: one, context: {cluster: a, user: u1}}
- {name: two, context: {cluster: b, user: u2}}
current-context: two
`);
    expect(r).toMatchObject({
      valid: true,
      server: 'https://b:6443',
      insecureSkipTLSVerify: true,
      auth: 'client-certificate',
      clientCertificate: { kind: 'file', path: 'c.crt' },
      clientKey: { kind: 'file', path: 'c.key' },
      problems: [],
    });
  });

  it('reduces a bootstrap token to its public id and keeps no secret', () => {
    const r = parseKubeconfig('clusters: [{name: k, cluster: {server: https://x}}]\nusers: [{name: t, user: {token: abcdef.0123456789abcdef}}]\ncontexts: [{name: c, context: {cluster: k, user: t}}]\ncurrent-context: c\n');
    expect(r.auth).toBe('token');
    expect(r.tokenIdentity).toBe('system:bootstrap:abcdef');
    expect(JSON.stringify(r)).not.toContain('0123456789abcdef');
  });

  it('reports a dangling current-context and bad YAML by line only', () => {
    expect(parseKubeconfig('current-context: gone\ncontexts: []\n').problems).toContain('names current-context "gone", which is not among its contexts');
    const bad = parseKubeconfig('users:\n- name: x\n  user: {token: s3cr3t-value\n');
    expect(bad.valid).toBe(false);
    expect(bad.problems[0]).toMatch(/^is not valid YAML/);
    expect(JSON.stringify(bad)).not.toContain('s3cr3t');
  });

  it('treats blanked and REDACTED data as present but unusable (corpus kubeconfigs)', () => {
    const blank = parseKubeconfig(readFileSync(join(FIXTURES, 'corpus/kubeadm-cmeza99-k8s-config/v1.8.1-0208bd4/etc/kubernetes/admin.conf'), 'utf8'));
    expect(blank).toMatchObject({ auth: 'client-certificate', clientCertificate: { kind: 'empty' }, ca: { kind: 'empty' }, server: 'https://<api_ip>:6443' });
    const redacted = parseKubeconfig(readFileSync(join(FIXTURES, 'corpus/kubeadm-maxxmoney/v1.16.2-ddd99ec/etc/kubernetes/kubelet.conf'), 'utf8'));
    expect(redacted.clientCertificate).toMatchObject({ kind: 'embedded', placeholder: true });
    expect(redacted.clientKey).toEqual({ kind: 'embedded', publicKeyId: null });
    const calico = parseKubeconfig(readFileSync(join(FIXTURES, 'corpus/kubeadm-ebenneil-k8/v1.22.17-b91c3ea/etc/cni/net.d/calico-kubeconfig'), 'utf8'));
    expect(calico).toMatchObject({ auth: 'token', tokenIdentity: null, server: 'https://10.100.0.1:443' });
  });

  it('never throws and is deterministic on arbitrary text and kubeconfig-shaped YAML', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null));
    const shaped = fc
      .record({
        clusters: fc.array(fc.record({ name: scalar, cluster: fc.oneof(scalar, fc.record({ server: scalar, 'certificate-authority-data': scalar })) }), { maxLength: 3 }),
        users: fc.array(fc.record({ name: scalar, user: fc.oneof(scalar, fc.record({ token: scalar, 'client-certificate-data': scalar, exec: fc.oneof(scalar, fc.record({ command: scalar })) })) }), { maxLength: 3 }),
        contexts: fc.oneof(scalar, fc.array(fc.record({ name: scalar, context: fc.oneof(scalar, fc.record({ cluster: scalar, user: scalar })) }), { maxLength: 3 })),
        'current-context': scalar,
      })
      .map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), shaped), (text) => {
        const a = parseKubeconfig(text);
        const b = parseKubeconfig(text);
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(['client-certificate', 'token', 'exec', 'other']).toContain(a.auth);
      }),
      { numRuns: 400 },
    );
  });

  it('survives an alias bomb', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const r = parseKubeconfig(bomb);
    expect(r.server).toBeNull();
  });
});
