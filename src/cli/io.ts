import { fstatSync, writeSync } from 'node:fs';

/** What a CLI command may touch of the process: passed in so commands can be run in tests. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal (colours allowed unless NO_COLOR / --no-color). */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** stdout's reader went away (EPIPE); set once per process, whatever number of processIO() calls. */
let stdoutClosed: boolean | undefined;
/** stdout is written with writeSync (it is not a terminal) until it would block; then process.stdout takes over. */
let stdoutDirect: boolean | undefined;

function watchStdout(): void {
  if (stdoutClosed !== undefined) return;
  stdoutClosed = false;
  // A reader that stops early (`kdiff scan node | head`) closes the pipe: the rest of the output is
  // dropped and kdiff still ends with the exit code of its answer, instead of crashing on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  });
}

/**
 * Whether fd 1 or 2 is a terminal. Only a character device can be one: a pipe or a file is told by
 * fstat, without making process.stdout / process.stderr, which for a pipe loads Node's streams and
 * net (~2 ms of a ~100 ms command).
 */
function isTerminal(fd: 1 | 2): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
}

function writeStdout(text: string): void {
  if (stdoutClosed) return;
  stdoutDirect ??= !isTerminal(1);
  if (!stdoutDirect) {
    watchStdout();
    if (!stdoutClosed) process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        stdoutClosed = true;
        return;
      }
      if (code !== 'EAGAIN') throw err;
      // A non-blocking pipe that is full: the stream waits for it (and keeps the order).
      stdoutDirect = false;
      watchStdout();
      process.stdout.write(bytes.subarray(done));
      return;
    }
  }
}

export function processIO(): CliIO {
  return {
    stdout: writeStdout,
    stderr: (t) => process.stderr.write(t),
    get stdoutIsTTY() {
      return isTerminal(1);
    },
    get stderrIsTTY() {
      return isTerminal(2);
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** A usage or input problem: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
