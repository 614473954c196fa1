/**
 * keys.ts reads EC and RSA keys from their DER instead of through OpenSSL's (slow) decoder; here
 * every key the fast path reads must give the public-key id OpenSSL's own reading gives.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readKeyBlock, certificateKey } from '../../../src/scan/pki/keys.js';
import { readPem } from '../../../src/scan/pki/pem.js';
import { describeKey } from '../../../src/scan/pki/x509.js';

/** The public-key id as keys.ts defines it, computed from OpenSSL's KeyObject. */
function reference(pub: KeyObject): string {
  const jwk = pub.export({ format: 'jwk' });
  const hex = (b64: string) => {
    const b = Buffer.from(b64, 'base64url');
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    return b.subarray(i).toString('hex');
  };
  let id: string;
  if (jwk.kty === 'EC') id = `ec:${jwk.crv}:04${Buffer.from(jwk.x!, 'base64url').toString('hex')}${Buffer.from(jwk.y!, 'base64url').toString('hex')}`;
  else if (jwk.kty === 'RSA') id = `rsa:${hex(jwk.n!)}:${hex(jwk.e!)}`;
  else id = `spki:${createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex')}`;
  return id;
}

/** What reading the key through OpenSSL alone gives. */
function opensslRead(der: Buffer, type: 'sec1' | 'pkcs8' | 'pkcs1'): ReturnType<typeof readKeyBlock> {
  try {
    return { kind: 'private', publicKeyId: reference(createPublicKey(createPrivateKey({ key: der, format: 'der', type }))) };
  } catch {
    return { kind: 'invalid' };
  }
}

function block(pem: string) {
  const b = readPem(pem).blocks[0];
  expect(b).toBeDefined();
  return b;
}

const pairs: { name: string; privateKey: KeyObject; publicKey: KeyObject }[] = [
  { name: 'EC P-256', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  { name: 'EC P-384', ...generateKeyPairSync('ec', { namedCurve: 'P-384' }) },
  { name: 'EC P-521', ...generateKeyPairSync('ec', { namedCurve: 'P-521' }) },
  { name: 'RSA 2048', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  { name: 'RSA 1024, e=3', ...generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 3 }) },
  { name: 'Ed25519', ...generateKeyPairSync('ed25519') },
];

describe('readKeyBlock', () => {
  it.each(pairs)('$name: every encoding gives OpenSSL’s public-key id', ({ name, privateKey, publicKey }) => {
    const want = reference(publicKey);
    const encodings: string[] = [privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey.export({ type: 'spki', format: 'pem' }) as string];
    if (name.startsWith('EC')) encodings.push(privateKey.export({ type: 'sec1', format: 'pem' }) as string);
    if (name.startsWith('RSA')) {
      encodings.push(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, publicKey.export({ type: 'pkcs1', format: 'pem' }) as string);
    }
    for (const pem of encodings) {
      const read = readKeyBlock(block(pem));
      expect(read).toEqual({ kind: pem.includes('PRIVATE') ? 'private' : 'public', publicKeyId: want });
    }
    // A certificate's SubjectPublicKeyInfo, read directly or through its KeyObject, agrees.
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    expect(certificateKey(spki, () => publicKey, describeKey)).toEqual({ id: want, description: describeKey(publicKey) });
  });

  it('leaves a SEC1 key whose stored public key is not its own to OpenSSL', () => {
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const derA = a.privateKey.export({ type: 'sec1', format: 'der' });
    const pointA = a.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    const pointB = b.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    const at = derA.indexOf(pointA);
    expect(at).toBeGreaterThan(0);
    const forged = Buffer.from(derA);
    pointB.copy(forged, at);
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${forged.toString('base64')}\n-----END EC PRIVATE KEY-----\n`;
    expect(readKeyBlock(block(pem))).toEqual(opensslRead(forged, 'sec1'));
  });

  it('reads the corpus keys as OpenSSL does', () => {
    const files = [
      'fixtures/seed-kubeadm-master/etc/kubernetes/pki/ca.key',
      'fixtures/seed-hard-way-controller/var/lib/kubernetes/ca-key.pem',
      'fixtures/seed-kubeadm-worker/var/lib/kubelet/pki/kubelet-client-2018-10-02-10-20-30.pem',
      'fixtures/pki-cases/etc/kubernetes/pki/mismatch.key',
    ];
    for (const f of files) {
      const text = readFileSync(new URL(`../../../${f}`, import.meta.url), 'utf8');
      const b = readPem(text).blocks.find((x) => x.label.endsWith('PRIVATE KEY'))!;
      expect(readKeyBlock(b)).toEqual({ kind: 'private', publicKeyId: reference(createPublicKey(createPrivateKey(text))) });
    }
  });

  it('still calls a broken key invalid', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    const cut = der.subarray(0, der.length - 10);
    expect(readKeyBlock({ label: 'PRIVATE KEY', der: cut, line: 1 })).toEqual({ kind: 'invalid' });
    // A zero scalar: whatever OpenSSL makes of it, the same.
    const sec1 = Buffer.from(privateKey.export({ type: 'sec1', format: 'der' }));
    sec1.fill(0, 7, 39);
    expect(readKeyBlock({ label: 'EC PRIVATE KEY', der: sec1, line: 1 })).toEqual(opensslRead(sec1, 'sec1'));
  });

  it('reads a P-256 key by the position of its scalar and point as the TLV walk does, and nothing that only looks like one', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    // The layout read by position (the same fixed bytes in every key OpenSSL writes).
    expect([pkcs8.length, spki.length]).toEqual([138, 91]);
    const want = { kind: 'private', publicKeyId: reference(publicKey) };
    // SEC1 holds the same key without the PKCS #8 wrapping: always walked.
    expect(readKeyBlock({ label: 'PRIVATE KEY', der: pkcs8, line: 1 })).toEqual(want);
    expect(readKeyBlock({ label: 'EC PRIVATE KEY', der: privateKey.export({ type: 'sec1', format: 'der' }), line: 1 })).toEqual(want);
    expect(certificateKey(spki, () => publicKey, describeKey)).toEqual({ id: want.publicKeyId, description: 'EC P-256' });
    // A wrong version, curve, length or tag anywhere in the fixed bytes leaves the key to the walk or OpenSSL, as before.
    for (const at of [4, 5, 26, 28, 33, 35, 68, 69, 72]) {
      const bad = Buffer.from(pkcs8);
      bad[at] ^= 0x01;
      expect([at, readKeyBlock({ label: 'PRIVATE KEY', der: bad, line: 1 })]).toEqual([at, opensslRead(bad, 'pkcs8')]);
    }
  });
});
