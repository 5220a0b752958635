/**
 * Child processes of the benchmark, each bounded in time and all killed when the run ends.
 */
import { ChildProcess, fork, spawn } from 'child_process';
import { now } from './stats';

const children = new Set<ChildProcess>();

/** Kills every child still running (called on exit, SIGINT and SIGTERM). */
export function killAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  children.clear();
}

function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

/** A TypeScript worker (run through tsx like this process) that answers one message per request. */
export class Worker<Req, Res> {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private pending?: { resolve: (r: Res) => void; reject: (e: Error) => void };
  private exited?: string;

  constructor(script: string, extraExecArgv: string[] = []) {
    this.child = track(fork(script, [], { execArgv: [...process.execArgv, ...extraExecArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (m: any) => {
        if (m?.ready) return resolve();
        const p = this.pending;
        this.pending = undefined;
        p?.resolve(m as Res);
      });
      this.child.once('exit', (code, signal) => {
        this.exited = `worker ${script} exited (${signal ?? code})`;
        reject(new Error(this.exited));
        this.pending?.reject(new Error(this.exited));
        this.pending = undefined;
      });
    });
  }

  /** Sends one request; rejects after `timeoutMs` (and kills the worker). */
  async request(req: Req, timeoutMs: number): Promise<Res> {
    await this.ready;
    if (this.exited) throw new Error(this.exited);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.child.kill('SIGKILL');
        reject(new Error(`worker request timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.child.send(req as any);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

export interface RunResult {
  readonly wallMs: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs a command to its end (or `timeoutMs`), timing it from spawn to exit. */
export function runTimed(cmd: string, args: string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = now();
    const child = track(spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (c: Buffer) => {
      if (stdout.length < 1_000_000) stdout += c.toString('utf8');
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 100_000) stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ wallMs: now() - t0, code, stdout, stderr, timedOut });
    });
  });
}

/** Node and tsx, as this process runs: for TypeScript children. */
export function tsxArgs(script: string, args: string[]): [string, string[]] {
  return [process.execPath, [...process.execArgv, script, ...args]];
}
