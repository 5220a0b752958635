/**
 * Runs a command of the CLI (or the local deploy) in-process with an Io that keeps what it
 * printed, and, for the commands that read the service, an emulator on 127.0.0.1 that the SDK is
 * pointed at for the whole test file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Io } from '../../cli/io';
import type { FlowEmulator } from '../../local/emulator';
import { useEmulator } from './emulator';

/** What a command returned and printed. */
export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with `args` in `cwd`; returns its exit code and what it printed on each stream. */
export async function captured(command: (args: string[], io: Io) => Promise<number>, args: string[], cwd: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await command(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd });
  return { code, stdout, stderr };
}

/**
 * An emulator for this test file (test/support/emulator.ts), with AWS_ENDPOINT_URL_SOCIALMESSAGING
 * pointed at it, and a scratch directory (`prefix`) removed at the end.
 */
export function useServiceEmulator(prefix: string): { readonly emulator: FlowEmulator; readonly tmp: string } {
  const service = useEmulator();
  const h = { get emulator() { return service.emulator; }, tmp: '' };
  beforeAll(() => {
    process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = service.emulator.endpoint;
    h.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    delete process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING;
    if (h.tmp) fs.rmSync(h.tmp, { recursive: true, force: true });
  });
  return h;
}
