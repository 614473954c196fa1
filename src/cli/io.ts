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

export function processIO(): CliIO {
  watchStdout();
  return {
    stdout: (t) => {
      if (!stdoutClosed) process.stdout.write(t);
    },
    stderr: (t) => process.stderr.write(t),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** A usage or input problem: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
