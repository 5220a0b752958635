/**
 * Synthesizes one app per job, in a process of its own (so that one document's heap does not
 * slow the next), and reports the time of construct + synth and the template's facts.
 *
 * - IPC mode (forked with an IPC channel): runs the jobs it is sent, one at a time, warm.
 * - `--once <job JSON>`: one job in a fresh process, as `cdk synth` runs an app; prints one JSON
 *   line with the time from process start to the modules loaded and to the synth done.
 */
import { performance } from 'perf_hooks';
import * as fs from 'fs';
import type { BuildOptions, TemplateFacts } from '../support/stacks';

export interface SynthJob extends BuildOptions {
  readonly id: number;
  /** Keep the cloud assembly (the deploy section reads it). @default false */
  readonly keep?: boolean;
}

export interface SynthResult {
  readonly id: number;
  readonly ms: number;
  readonly facts?: TemplateFacts;
  readonly warnings?: number;
  readonly template?: unknown;
  readonly error?: string;
  /** Heap still used after the synth and a full GC, minus before it: what the process keeps (needs --expose-gc). */
  readonly retainedBytes?: number;
  /** --once only: ms from process start to the modules loaded. */
  readonly loadedAtMs?: number;
  readonly doneAtMs?: number;
}

function run(job: SynthJob, stacks: typeof import('../support/stacks')): SynthResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  try {
    const r = stacks.synthStack(job);
    const ms = performance.now() - t0;
    const facts = stacks.templateFacts(r.templatePath, r.template);
    const template = job.keep ? r.template : undefined;
    let retainedBytes: number | undefined;
    if (gc) {
      gc();
      retainedBytes = process.memoryUsage().heapUsed - heap0;
    }
    return { id: job.id, ms, facts, warnings: r.warnings, template, retainedBytes };
  } catch (e) {
    return { id: job.id, ms: performance.now() - t0, error: String((e as Error)?.message ?? e).split('\n')[0] };
  } finally {
    if (!job.keep) fs.rmSync(job.outdir, { recursive: true, force: true });
  }
}

const once = process.argv.indexOf('--once');
if (once >= 0) {
  const job: SynthJob = JSON.parse(process.argv[once + 1]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here so that loadedAtMs measures the load of aws-cdk-lib from process start
  const stacks: typeof import('../support/stacks') = require('../support/stacks');
  const loadedAtMs = performance.now();
  const r = run(job, stacks);
  process.stdout.write(`${JSON.stringify({ ...r, loadedAtMs, doneAtMs: performance.now() })}\n`);
} else if (process.send) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the mode that runs jobs only, once per warm worker
  const stacks: typeof import('../support/stacks') = require('../support/stacks');
  process.on('message', (job: SynthJob) => {
    process.send!(run(job, stacks));
  });
  process.send({ ready: true });
}
