/**
 * README.md and docs/*.md hold real kdiff output between `<!-- kdiff:run -->` and
 * `<!-- kdiff:example -->` markers (scripts/gen-docs.mjs). This runs the generator in check mode:
 * every command and every library example is run again, and the test fails when any output
 * differs from what the docs show, or when a command or example fails. Fix: build, then
 * `node scripts/gen-docs.mjs`, and commit the docs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const script = join(root, 'scripts/gen-docs.mjs');

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
});

describe('the docs', () => {
  it('show what kdiff prints at this commit (node scripts/gen-docs.mjs --check)', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ 0 stale, 0 problems\n$/);
  });

  it('have runnable blocks in the README and in every manual page this suite owns', () => {
    for (const doc of ['README.md', 'docs/cli.md', 'docs/model.md', 'docs/library.md']) {
      const text = readFileSync(join(root, doc), 'utf8');
      expect(text).toMatch(/<!-- kdiff:(run|example)\b/);
      // Every opened block is closed, so no output can leak outside its markers.
      const opened = text.match(/<!-- kdiff:(run|example)\b/g)?.length ?? 0;
      const closed = text.match(/<!-- \/kdiff:(run|example) -->/g)?.length ?? 0;
      expect(closed).toBe(opened);
    }
  });

  it('library.md runs every exported function it documents', () => {
    const text = readFileSync(join(root, 'docs/library.md'), 'utf8');
    const examples = [...text.matchAll(/<!-- kdiff:example[^>]*-->\n```\w*\n([\s\S]*?)\n```/g)].map((m) => m[1]).join('\n');
    for (const fn of ['scanNode', 'loadSnapshot', 'diffNodes', 'auditNodes', 'formatReport', 'parseConfig', 'filterReport', 'readEtcdSnapshot', 'etcdDbSummary', 'diffSnapshots', 'redactSecrets']) {
      expect(examples).toContain(`${fn}(`);
    }
    expect(examples).toMatch(/require\('kdiff'\)/);
  });
});
