/**
 * `npm run bench [-- --quick] [-- --only=synth,deploy,…]`: measures whatsapp-flow-cdk side by side
 * with what users would otherwise write, prints one markdown table per measurement and (full run
 * only) writes them to bench/results.md.
 *
 * Sections: synth, deploy, concurrency, handler, validator, render. Everything runs on 127.0.0.1; every
 * child process and the temporary folder are removed at the end, also on Ctrl-C.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chosenDocs, DOCUMENT_SOURCE, HANDLER_BUNDLE, machine, optionsFor, ROOT, Scratch } from './support/context';
import { loadAverage } from './support/cpu';
import { killAll } from './support/proc';
import { renderSection, SectionResult } from './support/report';
import type { SectionContext } from './support/section';
import { now } from './support/stats';
import { concurrencySection } from './sections/concurrency';
import { deploySection } from './sections/deploy';
import { handlerSection } from './sections/handler';
import { renderSection as renderBenchSection } from './sections/render';
import { synthSection } from './sections/synth';
import { validatorSection } from './sections/validator';

type SectionFn = (ctx: SectionContext) => Promise<SectionResult>;

const SECTIONS: ReadonlyArray<{ id: string; title: string; run: () => Promise<SectionFn> }> = [
  { id: 'synth', title: 'Synth', run: async () => synthSection },
  { id: 'deploy', title: 'Deploy', run: async () => deploySection },
  { id: 'concurrency', title: 'Concurrency', run: async () => concurrencySection },
  { id: 'handler', title: 'The handler', run: async () => handlerSection },
  { id: 'validator', title: 'The validator', run: async () => validatorSection },
  { id: 'render', title: 'The renderer', run: async () => renderBenchSection },
];

async function main(): Promise<number> {
  const options = optionsFor(process.argv.slice(2));
  const started = now();
  const scratch = new Scratch();
  const cleanup = () => {
    killAll();
    scratch.remove();
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    cleanup();
    process.exit(143);
  });
  process.once('exit', cleanup);
  // Files the product writes to the temporary folder (staged content) go into ours, removed at the end.
  process.env.TMPDIR = scratch.sub('tmp');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.CDK_DISABLE_VERSION_CHECK = '1';

  const m = machine();
  const loadAtStart = loadAverage();
  const docs = chosenDocs();
  const progress = (msg: string) => process.stderr.write(`[bench ${((now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
  const ctx: SectionContext = { options, scratch, docs, progress };
  process.stdout.write(`# whatsapp-flow-cdk benchmark${options.quick ? ' (quick)' : ''}\n\nMachine: ${m.nproc} vCPU (${m.cpu}), ${m.memory} memory, Node ${m.node}; load average ${loadAtStart}.\n\nDocuments: ${DOCUMENT_SOURCE}.\n\n`);
  if (!fs.existsSync(HANDLER_BUNDLE)) progress(`note: ${path.relative(ROOT, HANDLER_BUNDLE)} is missing (run \`npm run build\`): the sections that need it are skipped`);

  const results: SectionResult[] = [];
  for (const s of SECTIONS) {
    if (options.only.length && !options.only.includes(s.id)) continue;
    const t0 = now();
    try {
      results.push(await (await s.run())(ctx));
    } catch (e) {
      // A section that cannot run on this machine is reported, never fatal (CI runs --quick).
      results.push({ id: s.id, title: s.title, tables: [], findings: [], durationMs: now() - t0, skipped: `failed: ${(e as Error)?.stack ?? e}` });
    }
    const r = results[results.length - 1];
    process.stdout.write(`${renderSection(r)}\n`);
  }

  const totalMs = now() - started;
  const header = [
    '# whatsapp-flow-cdk benchmark',
    '',
    `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench${options.quick ? ' -- --quick' : ''}\`, ${(totalMs / 1000).toFixed(0)} s in all.`,
    `Machine: ${m.nproc} vCPU (${m.cpu}), ${m.memory} memory, Node ${m.node}, ${m.os}. Load average (1/5/15 min) at the start ${loadAtStart}, at the end ${loadAverage()}: the machine is shared, so other work shows in the absolute figures.`,
    '',
    `Documents: ${DOCUMENT_SOURCE}.`,
    '',
    'Timings on this machine are noisy: compare the ratios, measured side by side in the same run; absolute figures only stand next to their baseline.',
    '',
  ].join('\n');
  process.stdout.write(`_${options.quick ? 'Quick' : 'Full'} run: ${(totalMs / 1000).toFixed(1)} s._\n`);
  const failed = results.filter((r) => r.skipped?.startsWith('failed'));
  if (failed.length) process.stderr.write(`sections that crashed: ${failed.map((r) => r.id).join(', ')}${options.quick ? '' : ' (bench/results.md not written)'}\n`);
  if (!options.quick && options.only.length === 0 && failed.length === 0) {
    fs.writeFileSync(path.join(__dirname, 'results.md'), `${header}\n${results.map(renderSection).join('\n')}`);
    process.stderr.write(`wrote ${path.relative(process.cwd(), path.join(__dirname, 'results.md'))}\n`);
  }
  // A section that crashed is a bug (quick runs in CI); one skipped for a missing build is not.
  return failed.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
