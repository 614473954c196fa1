/**
 * docs/kubeadm-vs-the-hard-way.md is kdiff's own report on the seed fixtures: regenerated here in
 * check mode (built CLI, KDIFF_NOW pinned, no colour), it must match the committed page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

describe('docs/kubeadm-vs-the-hard-way.md', () => {
  it('is current: the generator in --check mode finds nothing to change', () => {
    expect(existsSync(join(root, 'dist/cli/main.js'))).toBe(true);
    const r = spawnSync(process.execPath, ['scripts/gen-comparison.mjs', '--check'], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('tells the seed article\'s story: run modes, shared certificates, removed flags, the report', () => {
    const page = readFileSync(join(root, 'docs/kubeadm-vs-the-hard-way.md'), 'utf8');
    expect(page).toContain('| `kube-apiserver` | static-pod (`/etc/kubernetes/manifests/kube-apiserver.yaml`) | systemd (`/etc/systemd/system/kube-apiserver.service`) |');
    expect(page).toMatch(/One certificate, .* at `\/etc\/etcd\/kubernetes.pem` and `\/var\/lib\/kubernetes\/kubernetes.pem`, plays 5 roles/);
    expect(page).toContain('| `kube-apiserver` | admission plugin `Initializers` | 1.16 | removed |');
    expect(page).toContain('## How kdiff grades a difference');
    expect(page).toMatch(/### kdiff: `fixtures\/seed-kubeadm-master` vs `fixtures\/seed-hard-way-controller`/);
    expect(page).not.toMatch(/\u001b\[/);
  });
});
