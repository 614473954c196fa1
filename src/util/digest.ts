/**
 * SHA-256 in one call: crypto.hash (Node 20.12+) skips the Hash object createHash builds, a few
 * microseconds a digest in a fleet audit that takes several per node. Same digest either way.
 */
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: crypto.BinaryLike, outputEncoding: 'hex' | 'base64') => string;

const oneShot: OneShot | undefined = (crypto as { hash?: OneShot }).hash;

export function sha256(data: crypto.BinaryLike, encoding: 'hex' | 'base64' = 'hex'): string {
  return oneShot ? oneShot('sha256', data, encoding) : crypto.createHash('sha256').update(data).digest(encoding);
}
