/**
 * Private and public keys, reduced to the one thing kdiff keeps of them: a digest of the public
 * key they hold, to match a certificate with its key. Key material never leaves this module.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { PemBlock } from './pem.js';
import { PRIVATE_KEY_LABELS, PUBLIC_KEY_LABELS } from './pem.js';

export type KeyRead =
  | { kind: 'private'; publicKeyDigest: string }
  | { kind: 'public'; publicKeyDigest: string }
  /** Encrypted or of an unknown algorithm: present, but not comparable. */
  | { kind: 'opaque' }
  | { kind: 'invalid' };

const DER_TYPES: Record<string, { type: 'pkcs1' | 'sec1' | 'pkcs8' | 'spki'; private: boolean }> = {
  'RSA PRIVATE KEY': { type: 'pkcs1', private: true },
  'EC PRIVATE KEY': { type: 'sec1', private: true },
  'PRIVATE KEY': { type: 'pkcs8', private: true },
  'PUBLIC KEY': { type: 'spki', private: false },
  'RSA PUBLIC KEY': { type: 'pkcs1', private: false },
};

/** SHA-256 of a public key's SubjectPublicKeyInfo DER. */
export function spkiDigest(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('hex');
}

export function readKeyBlock(block: PemBlock): KeyRead {
  if (block.label === 'ENCRYPTED PRIVATE KEY') return { kind: 'opaque' };
  const t = DER_TYPES[block.label];
  if (!t) return PRIVATE_KEY_LABELS.has(block.label) || PUBLIC_KEY_LABELS.has(block.label) ? { kind: 'opaque' } : { kind: 'invalid' };
  try {
    const pub = t.private
      ? createPublicKey(createPrivateKey({ key: block.der, format: 'der', type: t.type as 'pkcs1' | 'sec1' | 'pkcs8' }))
      : createPublicKey({ key: block.der, format: 'der', type: t.type as 'pkcs1' | 'spki' });
    const digest = spkiDigest(pub.export({ type: 'spki', format: 'der' }));
    return t.private ? { kind: 'private', publicKeyDigest: digest } : { kind: 'public', publicKeyDigest: digest };
  } catch {
    return { kind: 'invalid' };
  }
}
