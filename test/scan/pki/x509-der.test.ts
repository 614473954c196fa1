import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { readPem } from '../../../src/scan/pki/pem.js';
import { readKeyBlock } from '../../../src/scan/pki/keys.js';
import { certificateReaders, issuedBy, type CertFacts } from '../../../src/scan/pki/x509.js';
import { FIXTURES } from './helpers.js';

function* files(dir: string): Generator<string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const s = lstatSync(p);
    if (s.isDirectory()) yield* files(p);
    else if (s.isFile()) yield p;
  }
}

/** Every certificate in fixtures/: PEM blocks of *.crt / *.pem and the kubeconfig *-data values. */
function fixtureCertificates(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const add = (data: Buffer) => {
    for (const b of readPem(data).blocks) if (b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE') out.set(b.der.toString('hex'), b.der);
  };
  for (const p of files(FIXTURES)) {
    const buf = readFileSync(p);
    if (buf.length > 1 << 20) continue;
    if (/\.(crt|pem)$/.test(p)) add(buf);
    const text = buf.toString('latin1');
    for (const m of text.matchAll(/(?:certificate-authority-data|client-certificate-data):\s*"?([A-Za-z0-9+/=]{20,})/g)) add(Buffer.from(m[1], 'base64'));
  }
  return out;
}

/** The facts as JSON, without the OpenSSL object and the issuer-check parts only one reader has. */
function shown(r: { cert: CertFacts } | { error: string }): string {
  if ('error' in r) return JSON.stringify(r);
  const { x509: _x, signed: _s, ...rest } = r.cert;
  return JSON.stringify({ ...rest, spki: rest.spki.toString('hex') });
}

function opensslIssued(child: CertFacts, parent: CertFacts): boolean {
  try {
    return child.x509.checkIssued(parent.x509) && child.x509.verify(parent.x509.publicKey);
  } catch {
    return false;
  }
}

const certs = [...fixtureCertificates().values()];

describe('the DER certificate reader against OpenSSL', () => {
  it('finds the fixture certificates and reads (nearly) all of them alone', () => {
    expect(certs.length).toBeGreaterThan(50);
    const read = certs.filter((d) => certificateReaders.der(d) !== null);
    expect(read.length).toBeGreaterThan(certs.length * 0.9);
  });

  it('gives the same facts as X509Certificate for every fixture certificate', () => {
    for (const der of certs) {
      const fast = certificateReaders.der(der);
      if (!fast) continue;
      expect(shown(fast)).toBe(shown(certificateReaders.openssl(der)));
      expect(fast.cert.sha256).toBe(fast.cert.x509.fingerprint256.replace(/:/g, '').toLowerCase());
      expect(fast.cert.isCA).toBe(fast.cert.x509.ca);
    }
  });

  it('decides who issued whom as checkIssued + verify do, for every pair of fixture certificates', () => {
    const facts = certs.map((d) => certificateReaders.der(d)).flatMap((r) => (r ? [r.cert] : []));
    let issued = 0;
    for (const c of facts) {
      for (const p of facts) {
        const ours = issuedBy(c, p);
        expect([c.subject, p.subject, ours]).toEqual([c.subject, p.subject, opensslIssued(c, p)]);
        if (ours) issued++;
      }
    }
    // kubeadm CAs and their leaves, self-signed roots: there is something to find.
    expect(issued).toBeGreaterThan(20);
  });

  it('never throws on truncated or mutated certificates, and whatever it reads alone OpenSSL reads the same', () => {
    const parents = certs.slice(0, 40).map((d) => ({ fast: certificateReaders.der(d)!.cert, slow: certificateReaders.openssl(d) }));
    const mutation = fc.record({
      base: fc.nat({ max: certs.length - 1 }),
      edits: fc.array(
        fc.record({ op: fc.constantFrom('flip', 'set', 'delete', 'insert', 'truncate'), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x05, 0x0c, 0x13, 0x16, 0x1e, 0x30, 0x7f, 0x80, 0x81, 0xff) }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ base, edits }) => {
        let d = Buffer.from(certs[base]);
        for (const e of edits) {
          const at = e.at % Math.max(1, d.length);
          if (e.op === 'flip') d[at] ^= 1 << (e.value % 8);
          else if (e.op === 'set') d[at] = e.value;
          else if (e.op === 'delete') d = Buffer.concat([d.subarray(0, at), d.subarray(at + 1)]);
          else if (e.op === 'insert') d = Buffer.concat([d.subarray(0, at), Buffer.from([e.value]), d.subarray(at)]);
          else d = d.subarray(0, at);
        }
        const fast = certificateReaders.der(d);
        if (!fast) return;
        expect(shown(fast)).toBe(shown(certificateReaders.openssl(d)));
        for (const p of parents.slice(0, 8)) {
          if (!('cert' in p.slow)) continue;
          expect(issuedBy(fast.cert, p.fast)).toBe(opensslIssued(fast.cert, p.slow.cert));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a certificate the same when its issuer, validity and extensions come from the cache of pieces', () => {
    // Twice each: the second read finds every piece (names, validity, algorithm, extensions) by its bytes.
    for (const der of certs) {
      const first = certificateReaders.der(der);
      const second = certificateReaders.der(Buffer.from(der));
      expect(second === null).toBe(first === null);
      if (first && second) expect(shown(second)).toBe(shown(first));
    }
    // A cached piece changed by one byte in any place is read anew: whatever the DER reader then reads alone, OpenSSL reads the same.
    let changed = 0;
    for (const base of certs.slice(0, 20)) {
      for (let at = 0; at < base.length; at += 7) {
        const d = Buffer.from(base);
        d[at] ^= 0x01;
        const fast = certificateReaders.der(d);
        if (!fast) continue;
        changed++;
        expect(shown(fast)).toBe(shown(certificateReaders.openssl(d)));
      }
    }
    expect(changed).toBeGreaterThan(100);
  });

  it('never throws on arbitrary bytes, whole or inside a certificate-shaped SEQUENCE', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const b = Buffer.from(bytes);
        const wrapped = Buffer.concat([Buffer.from([0x30, 0x82, b.length >> 8, b.length & 0xff]), b]);
        for (const d of [b, wrapped]) {
          const fast = certificateReaders.der(d);
          if (fast) expect(shown(fast)).toBe(shown(certificateReaders.openssl(d)));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('EC private keys with a stored public point', () => {
  const sec1 = (der: Buffer) => readKeyBlock({ label: 'EC PRIVATE KEY', der, line: 1 });
  const opensslDigestOf = (der: Buffer) => {
    return createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'sec1' })).export({ type: 'spki', format: 'der' });
  };

  it('reads the stored point as OpenSSL does: matching, mismatched (OpenSSL keeps the stored one) and off the curve', () => {
    for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
      const a = generateKeyPairSync('ec', { namedCurve });
      const b = generateKeyPairSync('ec', { namedCurve });
      const da = a.privateKey.export({ type: 'sec1', format: 'der' });
      // The uncompressed point ends both the SEC1 key and the SPKI.
      const pubB = b.publicKey.export({ type: 'spki', format: 'der' }).subarray(-(1 + 2 * { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[namedCurve]!));
      const mixed = Buffer.from(da);
      pubB.copy(mixed, mixed.length - pubB.length);
      const offCurve = Buffer.from(da);
      offCurve[offCurve.length - 1] ^= 1;
      const spkiOf = (k: ReturnType<typeof createPublicKey>) => readKeyBlock({ label: 'PUBLIC KEY', der: k.export({ type: 'spki', format: 'der' }), line: 1 });
      expect(sec1(da)).toEqual({ kind: 'private', publicKeyId: (spkiOf(a.publicKey) as { publicKeyId: string }).publicKeyId });
      expect(sec1(mixed)).toEqual({ kind: 'private', publicKeyId: (spkiOf(createPublicKey({ key: opensslDigestOf(mixed), format: 'der', type: 'spki' })) as { publicKeyId: string }).publicKeyId });
      expect(sec1(mixed)).toEqual({ kind: 'private', publicKeyId: (spkiOf(b.publicKey) as { publicKeyId: string }).publicKeyId });
      expect(() => opensslDigestOf(offCurve)).toThrow();
      expect(sec1(offCurve)).toEqual({ kind: 'invalid' });
    }
  });

  it('agrees with OpenSSL on scalars at and beyond the group order', () => {
    const order = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
    const good = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'der' });
    const at = good.indexOf(Buffer.from([0x04, 0x20])) + 2;
    for (const scalar of [order, '00'.repeat(32)]) {
      const der = Buffer.from(good);
      Buffer.from(scalar, 'hex').copy(der, at);
      let openssl: string;
      try {
        opensslDigestOf(der);
        openssl = 'private';
      } catch {
        openssl = 'invalid';
      }
      expect(sec1(der).kind).toBe(openssl);
    }
  });
});
