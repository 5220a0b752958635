/**
 * Concurrency: up to 50 Create events at once, each in a Lambda container of its own, against one
 * rate-limited emulator; our handler against the DIY baseline's. Each run is a stack creation of c
 * flows through the local CloudFormation engine with a concurrency of c.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FlowEmulator } from '../../local/emulator';
import { publishFileAssets, SynthesizedStack, synthesize } from '../../local/deploy/in-process-synth';
import { runStackOperation } from '../../local/cloudformation/engine';
import { LocalRuntime } from '../../local/lambda/runtime';
import { HANDLER_TIMEOUT, SERVICE_TIMEOUT } from '../../lib/provider';
import { cpuBusy, cpuSample } from '../support/cpu';
import { HANDLER_BUNDLE, variantFiles } from '../support/context';
import { writeDiyHandler } from '../support/diy-handler';
import type { SectionResult, Table } from '../support/report';
import type { SectionContext } from '../support/section';
import { benchEnv, buildApp, Variant } from '../support/stacks';
import { fmtMs, fmtRatio, now, pct } from '../support/stats';
import { engineInput, idealMs, LATENCY_MS, opsOf, RATE_LIMIT_BURST, RATE_LIMIT_RPS, reconcileListsIn } from './deploy';

type Mode = 'ours-warm' | 'diy-warm' | 'ours-cold' | 'ours-cpu';
const MODE_LABEL: Record<Mode, string> = {
  'ours-warm': 'WhatsAppFlow, warm containers, rate-limited',
  'diy-warm': 'AwsCustomResource DIY, warm containers, rate-limited',
  'ours-cold': 'WhatsAppFlow, fresh containers (cold starts at once), rate-limited',
  'ours-cpu': 'WhatsAppFlow, warm containers, no latency, no rate limit (CPU only)',
};

function callsBreakdown(ops: Record<string, number>, events: number): string {
  const flowOps = Object.entries(ops).filter(([op]) => !op.startsWith('S3.') && op !== 'UnknownOperation');
  const total = flowOps.reduce((a, [, n]) => a + n, 0) / events;
  return `${total.toFixed(2)} = ${flowOps.map(([op, n]) => `${op.replace('WhatsAppFlows', '').replace('WhatsAppFlow', '')} ${(n / events).toFixed(2)}`).join(' + ')}`;
}

export async function concurrencySection(ctx: SectionContext): Promise<SectionResult> {
  const started = now();
  const { options, scratch, docs } = ctx;
  if (!fs.existsSync(HANDLER_BUNDLE)) {
    return { id: 'concurrency', title: 'Concurrency', tables: [], findings: [], durationMs: 0, skipped: 'lambda/dist/index.js is missing: run `npm run build` first' };
  }
  const maxC = Math.max(...options.concurrency);
  const files = variantFiles(scratch.sub('concurrency-flows'), docs.median, maxC);
  const emulator = await FlowEmulator.start({ idSeed: 'bench-concurrency' });
  const diyCode = writeDiyHandler(scratch.sub('diy-handler'));
  const stateDir = scratch.sub('concurrency-state');
  const logFile = path.join(stateDir, 'functions.log');
  const rows: string[][] = [];
  const findings: string[] = [];
  let worstOurs = 0;
  type Run = { wallMs: number; ops: Record<string, number>; reconcile: number; throttled: number };
  const oursWarm = new Map<number, Run>();
  const diyWarm = new Map<number, Run>();
  try {
    for (const c of options.concurrency) {
      const stacks: Partial<Record<Variant, SynthesizedStack>> = {};
      for (const v of ['ours', 'diy'] as Variant[]) {
        stacks[v] = synthesize(({ outdir }) => buildApp({ variant: v, files: files.slice(0, c), outdir, validation: false }), { outdir: path.join(scratch.sub('concurrency-out'), `${v}-${c}`), context: {}, validate: false }).stacks[0];
      }
      const modes: Mode[] = c === maxC && !options.quick ? ['ours-warm', 'diy-warm', 'ours-cold', 'ours-cpu'] : ['ours-warm', 'diy-warm', 'ours-cpu'];
      for (const mode of modes) {
        ctx.progress(`concurrency ${c}: ${mode}`);
        const variant: Variant = mode === 'diy-warm' ? 'diy' : 'ours';
        const stack = stacks[variant]!;
        // A runtime of its own: its containers start cold, unless warmed below.
        const runtime = await LocalRuntime.start({ emulator, logFile });
        const env = benchEnv();
        const create = () => runStackOperation({
          env, stateDir, runtime, concurrency: c, serviceTimeoutMs: SERVICE_TIMEOUT.toMilliseconds(),
          next: engineInput(stack, env, stateDir, variant === 'diy' ? diyCode : undefined),
        });
        try {
          if (mode !== 'ours-cold') {
            // Start c containers and run the same creates once in each (no latency, no limit), so
            // that the handler and its SDK clients are loaded and have made their first calls.
            emulator.setLatency(0);
            emulator.setRateLimit(undefined);
            emulator.reset();
            publishFileAssets(stack, env, emulator);
            await create();
            await runtime.settled();
          }
          emulator.reset();
          publishFileAssets(stack, env, emulator);
          if (mode === 'ours-cpu') {
            emulator.setLatency(0);
            emulator.setRateLimit(undefined);
          } else {
            emulator.setLatency(LATENCY_MS);
            emulator.setRateLimit(RATE_LIMIT_RPS, RATE_LIMIT_BURST);
          }
          fs.writeFileSync(logFile, '');
          const cpu0 = cpuSample();
          const t0 = now();
          const result = await create();
          const wallMs = now() - t0;
          const busy = cpuBusy(cpu0, cpuSample());
          await runtime.settled();
          const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
          const creates = result.sent.filter((e) => e.phase === 'update');
          const ok = creates.filter((e) => e.status === 'SUCCESS').length;
          const { ops, throttled } = opsOf(emulator);
          const retries = lines.filter((l) => l.event === 'retry').length;
          const reconcile = reconcileListsIn(lines);
          if (mode === 'ours-warm') oursWarm.set(c, { wallMs, ops, reconcile, throttled });
          if (mode === 'diy-warm') diyWarm.set(c, { wallMs, ops, reconcile, throttled });
          const longest = Math.max(0, ...creates.map((e) => e.durationMs));
          if (variant === 'ours' && mode !== 'ours-cpu') worstOurs = Math.max(worstOurs, longest);
          const reasons = [...new Set(creates.filter((e) => e.status !== 'SUCCESS').map((e) => e.reason.slice(0, 100)))];
          const ideal = mode === 'ours-cpu' ? NaN : idealMs(c, c);
          rows.push([
            String(c), MODE_LABEL[mode], `${pct(ok, c)}${reasons.length ? ` ✗ ${reasons[0]}` : ''}`, fmtMs(wallMs), Number.isNaN(ideal) ? '—' : fmtRatio(wallMs / ideal),
            mode === 'ours-cpu' ? `${((c / wallMs) * 1000).toFixed(1)} events/s` : '—',
            callsBreakdown(ops, c), mode === 'ours-cpu' ? '—' : String(throttled), variant === 'diy' ? 'n/a' : String(retries),
            `${fmtMs(longest)} (${(longest / HANDLER_TIMEOUT.toMilliseconds() * 100).toFixed(1)}% of 5 min)`,
            Number.isNaN(busy) ? '—' : `${Math.round(busy * 100)}%`,
          ]);
        } finally {
          await runtime.close({ graceMs: 0 });
        }
      }
    }
  } finally {
    emulator.setRateLimit(undefined);
    await emulator.close();
  }
  const tables: Table[] = [{
    title: 'Concurrent Create events, one handler process each',
    intro:
      `A stack of c flows created by the local CloudFormation engine with a concurrency of c: c Create events sent at once (median document, distinct flows), each to its own container: "warm" containers ran the same creates once before (no latency, no limit; then the emulator was emptied), "fresh" ones start with the event. ` +
      `Emulator: ${LATENCY_MS} ms latency, ${RATE_LIMIT_RPS} requests/s (burst ${RATE_LIMIT_BURST}) over the flow operations; the CPU-only rows remove both. ` +
      `The handler's own deadline is ${HANDLER_TIMEOUT.toMinutes()} min (it answers FAILED 15 s before), CloudFormation's ServiceTimeout ${SERVICE_TIMEOUT.toMinutes()} min. One run per row; "CPU busy" is the whole machine's (${'2'} cores) during the events, other work on it included.`,
    columns: ['c', 'mode', 'events succeeded', 'wall time', 'wall ÷ ideal', 'throughput', 'flow API calls per event', 'throttled (429)', 'handler retries', 'longest event', 'CPU busy'],
    rows,
    notes: [
      'Where CPU is the limit: the CPU-only rows show how many events per second two cores sustain with no service delay at all; fresh containers add a Node start and the handler\'s init per event, all at once (the cold-start storm), which on Lambda would run on separate machines.',
      'The DIY handler relies on the SDK\'s standard retry (3 attempts, short backoff) and fails the event after that; CloudFormation then rolls the whole stack back.',
    ],
  }];
  const o = oursWarm.get(maxC);
  const d = diyWarm.get(maxC);
  if (o && d && o.throttled > 0 && o.wallMs > 1.5 * d.wallMs) {
    const list = o.ops.ListWhatsAppFlows ?? 0;
    findings.push(
      `Under throttling our handler takes longer than the DIY baseline: ${maxC} concurrent creates took ${fmtMs(o.wallMs)} against ${fmtMs(d.wallMs)} (${fmtRatio(o.wallMs / d.wallMs)}), with ${list} List requests for ${maxC} creates${o.reconcile ? ` (${o.reconcile} of them reconciling a refused create)` : ''} and ${o.throttled} throttled answers against ${d.throttled}. ` +
        `Every request beyond CreateWhatsAppFlow competes for the same rate limit: ${o.reconcile ? 'skipping the reconciliation after a 429 and ' : ''}creating first and looking the name up only on a conflict (see Deploy) would bring it close to the baseline's one call per create; the lookup is kept on purpose (see Deploy), and every event still succeeds, well within its deadline.`,
    );
  }
  if (worstOurs > HANDLER_TIMEOUT.toMilliseconds() / 4) {
    findings.push(`Under ${maxC} concurrent creates the longest event took ${fmtMs(worstOurs)}, over a quarter of the handler's 5-minute deadline.`);
  }
  return { id: 'concurrency', title: 'Concurrency', tables, findings, durationMs: now() - started };
}
