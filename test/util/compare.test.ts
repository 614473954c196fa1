import { compareText, defaultCollationIsRoot } from '../../src/util/compare.js';

const ALPHABET = ` _-,;:!?.'"()[]{}@*/&#%+<=>|~$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\0`;

/** A small deterministic generator, so a failure names the same strings on every run. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('compareText', () => {
  it('agrees with localeCompare on every one- and two-character pair of its alphabet against every character', () => {
    const singles = [...ALPHABET];
    const pairs = singles.flatMap((c) => singles.map((d) => c + d));
    let mismatches = 0;
    for (const a of singles) {
      for (const b of [...singles, ...pairs]) {
        if (compareText(a, b) !== sign(a.localeCompare(b)) || compareText(b, a) !== sign(b.localeCompare(a))) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('agrees with localeCompare on random strings sharing prefixes, differing in case and NULs', () => {
    const random = generator(7);
    const pick = (n: number): string => Array.from({ length: n }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
    const flipCase = (s: string): string => [...s].map((c) => (random() < 0.3 ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');
    const wrong: string[] = [];
    for (let i = 0; i < 60000; i++) {
      const prefix = pick(Math.floor(random() * 5));
      const a = prefix + pick(Math.floor(random() * 6));
      const b = i % 3 === 0 ? flipCase(a) : prefix + pick(Math.floor(random() * 6));
      if (compareText(a, b) !== sign(a.localeCompare(b))) wrong.push(JSON.stringify([a, b]));
    }
    expect(wrong).toEqual([]);
  });

  it('sorts real keys as localeCompare does', () => {
    const keys = [
      '/etc/kubernetes/pki/etcd/server.key\u0000etcd\u0000--key-file\u0000key\u0000/etc/kubernetes/manifests/etcd.yaml:22',
      '/etc/kubernetes/pki/etcd/server.crt\u0000etcd\u0000--cert-file\u0000certificate\u0000/etc/kubernetes/manifests/etcd.yaml:21',
      '/etc/kubernetes/pki/ca.crt\u0000kubelet\u0000authentication.x509.clientCAFile\u0000ca\u0000/var/lib/kubelet/config.yaml',
      '/etc/kubernetes/pki/CA.crt',
      '/etc/kubernetes/pki/apiserver-etcd-client.crt',
      '/etc/kubernetes/pki/apiserver.crt',
      '/etc/kubernetes/pki/front-proxy-ca.crt',
      '/etc/kubernetes/pki/front_proxy.crt',
      'kube-apiserver',
      'kubelet',
      'kube_proxy',
    ];
    expect([...keys].sort(compareText)).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
  });

  it('leaves anything outside its alphabet to localeCompare', () => {
    expect(compareText('é', 'f')).toBe(sign('é'.localeCompare('f')));
    expect(compareText('a\\b', 'a/b')).toBe(sign('a\\b'.localeCompare('a/b')));
    expect(compareText('ä', 'a')).toBe(sign('ä'.localeCompare('a')));
  });

  it('takes the shortcut only under the root, English or C/POSIX collation', () => {
    expect(defaultCollationIsRoot({})).toBe(true);
    expect(defaultCollationIsRoot({ LANG: 'C.UTF-8' })).toBe(true);
    expect(defaultCollationIsRoot({ LANG: 'en_US.UTF-8' })).toBe(true);
    expect(defaultCollationIsRoot({ LANG: 'POSIX' })).toBe(true);
    expect(defaultCollationIsRoot({ LANG: 'da_DK.UTF-8' })).toBe(false);
    expect(defaultCollationIsRoot({ LC_ALL: 'sv_SE', LANG: 'en_US.UTF-8' })).toBe(false);
    expect(defaultCollationIsRoot({ LC_MESSAGES: 'da_DK', LANG: 'C' })).toBe(false);
    expect(defaultCollationIsRoot({ LC_ALL: '', LANG: 'en_GB.UTF-8' })).toBe(true);
    expect(defaultCollationIsRoot({ LANG: 'english' })).toBe(false);
  });
});
