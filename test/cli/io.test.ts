/**
 * processIO() is what the CLI writes through. Into a pipe or a file it writes with writeSync
 * (process.stdout would load Node's streams and net); a pipe that is full and non-blocking hands
 * the rest to process.stdout. Run in child processes on the built module (dist/cli/io.js), as the CLI runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processIO } from '../../src/cli/io.js';

const ioModule = pathToFileURL(join(process.cwd(), 'dist', 'cli', 'io.js')).href;

/** 20,000 numbered lines, ~2 MB: many times what a pipe holds. */
const LINES = 20000;
const line = (i: number): string => `${String(i).padStart(7, '0')} ${'x'.repeat(90)}\n`;
const expected = Array.from({ length: LINES }, (_, i) => line(i)).join('');

function child(code: string, stdout: 'pipe' | number = 'pipe'): { done: Promise<{ code: number | null; out: string; err: string }>; proc: ReturnType<typeof spawn> } {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', `import { processIO } from ${JSON.stringify(ioModule)};\n${code}`], {
    stdio: ['ignore', stdout, 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((res) => proc.on('close', (c) => res({ code: c, out, err })));
  return { done, proc };
}

const writeLines = `const io = processIO(); const line = (i) => String(i).padStart(7, '0') + ' ' + 'x'.repeat(90) + '\\n'; for (let i = 0; i < ${LINES}; i++) io.stdout(line(i));`;

describe('processIO', () => {
  /** Runs `code` with a reader that lags: the pipe fills up while the child is still writing. */
  async function expectWholeThroughSlowPipe(code: string): Promise<void> {
    const { done, proc } = child(code);
    proc.stdout!.pause();
    setTimeout(() => proc.stdout!.resume(), 300);
    const r = await done;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.length).toBe(expected.length);
    expect(r.out === expected).toBe(true);
  }

  it('writes a large output through a slow pipe whole and in order', async () => {
    await expectWholeThroughSlowPipe(writeLines);
  });

  it('hands the rest to process.stdout when the pipe is non-blocking and full (EAGAIN), losing and reordering nothing', async () => {
    // Making process.stdout first turns the pipe non-blocking (libuv does), as any earlier use of it would.
    await expectWholeThroughSlowPipe(`process.stdout; ${writeLines}`);
  });

  it('writes into a file the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdiff-io-'));
    try {
      const { openSync, closeSync } = await import('node:fs');
      const fd = openSync(join(dir, 'out.txt'), 'w');
      const { done } = child(writeLines, fd);
      const r = await done;
      closeSync(fd);
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, 'out.txt'), 'utf8') === expected).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells a pipe is no terminal without making process.stdout (no streams or net loaded)', async () => {
    const { done } = child(
      `const io = processIO(); const tty = [io.stdoutIsTTY, io.stderrIsTTY]; io.stdout(JSON.stringify({ tty, net: process.moduleLoadList.includes('NativeModule net') }));`,
    );
    const r = await done;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ tty: [false, false], net: false });
  });

  it('adds no listener to process.stdout however many times it is made (no MaxListeners warning in a long-lived process)', () => {
    const before = process.stdout.listenerCount('error');
    for (let i = 0; i < 20; i++) processIO();
    expect(process.stdout.listenerCount('error') - before).toBeLessThanOrEqual(1);
  });
});
