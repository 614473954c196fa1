/**
 * A reader that goes away before kdiff writes (`kdiff --version | true`, a `head` that has read
 * enough): the output is dropped and kdiff ends with its own exit code, quietly, for every
 * command, `--version` (answered by the launcher itself) included.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const kdiff = join(process.cwd(), 'bin', 'kdiff.js');

/** Runs kdiff with stdout a pipe whose reader has already exited; stderr holds its exit code and anything it printed. */
function intoClosedPipe(args: string[]): string {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  // `true` exits at once; kdiff starts writing well after the sleep, into a pipe nobody reads.
  const r = spawnSync('sh', ['-c', `(sleep 0.3; '${process.execPath}' '${kdiff}' ${quoted}; echo "exit $?" >&2) | true`], { encoding: 'utf8' });
  return r.stderr;
}

describe('kdiff writing into a closed pipe', () => {
  it('--version ends 0 without an EPIPE stack trace', () => {
    expect(intoClosedPipe(['--version'])).toBe('exit 0\n');
    expect(intoClosedPipe(['-V'])).toBe('exit 0\n');
  });

  it('--help and a scan end as they would into a reader', () => {
    expect(intoClosedPipe(['--help'])).toBe('exit 0\n');
    expect(intoClosedPipe(['scan', 'fixtures/seed-kubeadm-worker'])).toBe('exit 0\n');
  });
});
