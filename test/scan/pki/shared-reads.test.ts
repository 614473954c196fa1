import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_REF_RULES, fileRefRule } from '../../../src/knowledge/file-refs.js';
import { readPem, readPemFile } from '../../../src/scan/pki/pem.js';
import { ruleFor } from '../../../src/scan/pki/references.js';
import { parseCertificate } from '../../../src/scan/pki/x509.js';
import { FIXTURES } from './helpers.js';

const PKI = join(FIXTURES, 'pki-cases/etc/kubernetes/pki');

describe('ruleFor', () => {
  it('gives the rule fileRefRule finds, for every rule and for names no rule has', () => {
    for (const r of FILE_REF_RULES) expect(ruleFor(r.component, r.via)).toBe(fileRefRule(r.component, r.via));
    expect(ruleFor('kubelet', '--no-such-flag')).toBeUndefined();
    expect(ruleFor('no-such-component', '--kubeconfig')).toBeUndefined();
  });
});

describe('readPemFile', () => {
  it('shares the read of a certificate-only file between files with the same bytes met again, frozen', () => {
    const bytes = readFileSync(join(PKI, 'chain.crt'));
    // The first time, the text is only noted: a node's own certificate is never met again.
    const first = readPemFile(bytes);
    expect(first.shared).toBe(false);
    expect(Object.isFrozen(first.read.blocks[0])).toBe(false);
    const a = readPemFile(Buffer.from(bytes));
    const b = readPemFile(Buffer.from(bytes));
    expect(a.shared).toBe(true);
    expect(b.read).toBe(a.read);
    expect(Object.isFrozen(a.read.blocks[0])).toBe(true);
    expect(a.read.blocks.map((x) => [x.label, x.line, x.der.toString('hex')])).toEqual(
      readPem(bytes).blocks.map((x) => [x.label, x.line, x.der.toString('hex')]),
    );
  });

  it('never keeps a file that holds a key, or one with problems', () => {
    for (const name of ['combined.pem', 'ca.key', 'truncated.crt', 'der.crt', 'empty.crt']) {
      const bytes = readFileSync(join(PKI, name));
      const a = readPemFile(bytes);
      const b = readPemFile(bytes);
      expect(a.shared).toBe(false);
      expect(b.read).not.toBe(a.read);
      expect(a.read).toEqual(readPem(bytes));
    }
  });
});

describe('parseCertificate (DER reader facts)', () => {
  it('builds OpenSSL\'s view on demand from frozen facts', () => {
    const der = readPem(readFileSync(join(PKI, 'ca.crt'))).blocks[0].der;
    const r = parseCertificate(der);
    if (!('cert' in r)) throw new Error(r.error);
    expect(Object.isFrozen(r.cert)).toBe(true);
    expect(r.cert.signed).not.toBeNull();
    expect(r.cert.x509.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(r.cert.sha256);
    expect(r.cert.x509).toBe(r.cert.x509);
    expect(Object.keys(r.cert)).not.toContain('x509');
  });
});
