import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export const FIXTURES = join(process.cwd(), 'fixtures/etcd');
export const SNAPSHOTS = ['empty.db', 'k8s-a.db', 'k8s-b.db', 'large.db', 'member-snap-db'];

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function kdiff(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** What `etcdctl get "" --prefix -w json` recorded beside a snapshot (values reduced to size and hash). */
export interface RecordedKey {
  key: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  value_size: number;
  value_sha256?: string;
}

export function recordedKeys(name: string): { revision: number; kvs: RecordedKey[] } {
  return JSON.parse(fixtureText(`${name}.keys.json`)) as { revision: number; kvs: RecordedKey[] };
}
