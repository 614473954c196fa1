/** The collection manifest in docs/examples must stay read-only towards the host. */
import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { NODE_PATHS } from '../../src/source/node-paths.js';

const docs = loadAll(readFileSync('docs/examples/kdiff-scan-daemonset.yaml', 'utf8')) as any[];
const ds = docs.find((d) => d.kind === 'DaemonSet');
const pod = ds.spec.template.spec;

describe('docs/examples/kdiff-scan-daemonset.yaml', () => {
  it('mounts every host path read-only, as an existing directory (never created)', () => {
    const hostVolumes = pod.volumes.filter((v: any) => v.hostPath);
    expect(hostVolumes.length).toBeGreaterThan(0);
    for (const v of hostVolumes) expect(v.hostPath.type).toBe('Directory');
    for (const c of [...pod.initContainers, ...pod.containers]) {
      for (const m of c.volumeMounts) {
        if (hostVolumes.some((v: any) => v.name === m.name)) {
          expect(m.readOnly).toBe(true);
          expect(m.mountPath.startsWith('/host/')).toBe(true);
        }
      }
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    }
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('makes every path of `kdiff paths` visible under /host (but /usr/local/lib/systemd/system, often absent)', () => {
    const mounts: string[] = pod.initContainers[0].volumeMounts.map((m: any) => m.mountPath.replace(/^\/host/, ''));
    for (const p of NODE_PATHS.filter((x) => x.path !== '/usr/local/lib/systemd/system')) {
      expect(mounts.some((m) => p.path === m || p.path.startsWith(m + '/'))).toBe(true);
    }
  });

  it('runs kdiff scan /host to JSON', () => {
    expect(pod.initContainers[0].args.slice(0, 4)).toEqual(['scan', '/host', '--format', 'json']);
  });
});
