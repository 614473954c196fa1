import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { knowledge } from '../../src/knowledge/data.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('generated knowledge data', () => {
  it('is current: regenerating from data/reference gives the committed file', () => {
    // --check exits non-zero (and execFileSync throws) when the output would differ
    const out = execFileSync(process.execPath, ['scripts/gen-knowledge.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toBe('');
  });

  it('names its versions and sources', () => {
    const data = knowledge();
    expect(Object.keys(data.components).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-proxy', 'kube-scheduler', 'kubelet']);
    expect(data.components['kube-apiserver'].version).toBe('v1.31');
    expect(data.components.kubelet.version).toBe('v1.30');
    expect(data.components.etcd.version).toBe('v3.5.33');
    expect(data.admissionPlugins.defaultEnabled).toContain('NamespaceLifecycle');
    expect(data.admissionPlugins.defaultEnabled).not.toContain('NodeRestriction');
    const sources = readFileSync(new URL('../../data/reference/SOURCES.md', import.meta.url), 'utf8');
    expect(sources).toMatch(/be91dec81201e617e7a0e585565054483f8f0d8f/);
  });

  it('is parsed once', () => {
    expect(knowledge()).toBe(knowledge());
  });

  it('every flag has a kdiff type and every fact a version', () => {
    const types = new Set(['bool', 'int', 'float', 'string', 'path', 'duration', 'url-list', 'set', 'list', 'map', 'cidr', 'port', 'ip', 'quantity']);
    for (const comp of Object.values(knowledge().components)) {
      for (const entry of [...Object.values(comp.flags), ...Object.values(comp.legacy)]) expect(types.has(entry.type)).toBe(true);
      for (const facts of Object.values(comp.lifecycle)) for (const f of facts) expect(f.version).toMatch(/^\d+\.\d+$/);
    }
  });
});
