/**
 * Synth: time, template and IAM of N flows, our construct against the two baselines.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CorpusDoc, corpusFiles, DOCUMENTS_NAME, variantFiles } from '../support/context';
import { runTimed, tsxArgs, Worker } from '../support/proc';
import type { SectionResult, Table } from '../support/report';
import type { SectionContext } from '../support/section';
import {
  INVOCATIONS_PER_EVENT, MANAGED_POLICY_LIMIT, RESOURCE_LIMIT, ROLE_INLINE_LIMIT, TEMPLATE_LIMIT_BYTES, TemplateFacts, Variant, VARIANT_LABEL, VARIANTS,
} from '../support/stacks';
import { fmtBytes, fmtInt, fmtMs, median, msSpread, now, ratio } from '../support/stats';
import type { SynthJob, SynthResult } from '../workers/synth-worker';

const WORKER = path.join(__dirname, '..', 'workers', 'synth-worker.ts');

/** The measured variants: ours twice (with and without its Flow JSON check at synth). */
type Column = Variant | 'oursNoCheck';
const COLUMNS: readonly Column[] = ['ours', 'oursNoCheck', 'diy', 'providerFramework'];

interface Cell {
  times: number[];
  /** Heap the synth left behind after a full GC, per run. */
  retained: number[];
  facts?: TemplateFacts;
  warnings?: number;
  error?: string;
  /** Why this configuration cannot be deployed (a failure, not a timing). */
  failure?: string;
}

interface InlineCase {
  readonly label: string;
  readonly files: string[];
  /** Run the Flow JSON check (off for the synthetic documents, which only probe the template). */
  readonly check: boolean;
  readonly facts: TemplateFacts[];
}

function escapeRatio(t: string): number {
  return (JSON.stringify(t).length - 2) / Buffer.byteLength(t);
}

/**
 * `n` distinct Flow JSON documents of exactly `rawBytes` bytes whose text grows by `ratio` once
 * escaped into the template: a TextBody of quotes (2 bytes in the file, 4 in the template) and
 * letters (1 and 1) around a fixed, pretty-printed skeleton.
 */
function thresholdFiles(dir: string, rawBytes: number, ratio: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const make = (quotes: number, letters: number) =>
      JSON.stringify({
        version: '7.3',
        screens: [{
          id: 'AT_THE_LIMIT',
          title: `Flow ${String(i).padStart(4, '0')}`,
          terminal: true,
          layout: { type: 'SingleColumnLayout', children: [{ type: 'TextBody', text: '"'.repeat(quotes) + 'x'.repeat(letters) }, { type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }] },
        }],
      }, undefined, 2);
    const base = make(0, 0);
    const b = Buffer.byteLength(base);
    const eb = JSON.stringify(base).length - 2;
    const quotes = Math.max(0, Math.min(Math.floor((rawBytes - b) / 2), Math.round(((ratio - 1) * rawBytes - (eb - b)) / 2)));
    const letters = Math.max(0, rawBytes - b - 2 * quotes);
    const f = path.join(dir, `threshold-${i}.json`);
    fs.writeFileSync(f, make(quotes, letters));
    return f;
  });
}

/** Why a template cannot be deployed, if it cannot. */
export function deployFailure(f: TemplateFacts): string | undefined {
  const why: string[] = [];
  if (f.bytes > TEMPLATE_LIMIT_BYTES) why.push(`template ${fmtBytes(f.bytes)} > 1 MB`);
  if (f.resources > RESOURCE_LIMIT) why.push(`${f.resources} resources > 500`);
  if (f.maxRoleInlineChars > ROLE_INLINE_LIMIT) why.push(`role's inline policies ${fmtInt(f.maxRoleInlineChars)} chars > 10,240`);
  if (f.maxManagedPolicyChars > MANAGED_POLICY_LIMIT) why.push(`managed policy ${fmtInt(f.maxManagedPolicyChars)} chars > 6,144`);
  return why.length ? why.join('; ') : undefined;
}

export async function synthSection(ctx: SectionContext): Promise<SectionResult> {
  const started = now();
  const { options, scratch, docs } = ctx;
  const tables: Table[] = [];
  const findings: string[] = [];
  const cells = new Map<string, Cell>();
  const key = (doc: string, n: number, c: Column) => `${doc}|${n}|${c}`;
  let jobId = 0;

  const docList: CorpusDoc[] = [docs.median, docs.largest];
  // Our worst case for the template: every flow inline, at the 4 KiB threshold.
  const inline = docs.largestInline;
  const corpusWorst = Math.max(...corpusFiles().filter((f) => f.bytes <= 4096).map((f) => escapeRatio(fs.readFileSync(f.file, 'utf8'))));
  const inlineCases: InlineCase[] = [
    { label: `\`${inline.name}\` (${fmtInt(inline.bytes)} B, the largest ${DOCUMENTS_NAME} document under 4 KiB)`, files: variantFiles(scratch.sub('flows-inline'), inline, 10), check: true, facts: [] },
    {
      label: `4,096-byte documents escaping like the worst ${DOCUMENTS_NAME} one (×${corpusWorst.toFixed(2)} in the template)`,
      files: thresholdFiles(scratch.sub('flows-threshold-corpus'), 4096, corpusWorst, 10), check: false, facts: [],
    },
    { label: '4,096-byte documents of quotes (×2, the most escaping JSON allows)', files: thresholdFiles(scratch.sub('flows-threshold-quotes'), 4096, 2, 10), check: false, facts: [] },
    {
      label: `documents of 4,090 bytes once escaped (${fmtInt(Math.floor(4090 / corpusWorst))} bytes, ×${corpusWorst.toFixed(2)}): the most a flow can put inline if the threshold counts escaped bytes`,
      files: thresholdFiles(scratch.sub('flows-threshold-escaped'), Math.floor(4090 / corpusWorst), corpusWorst, 10), check: false, facts: [],
    },
  ];
  for (const doc of docList) {
    const counts = options.flowCounts.filter((n) => doc !== docs.largest || n <= options.largestDocMaxFlows);
    const files = variantFiles(scratch.sub(`flows-${doc.label.replace(/\s+/g, '-')}`), doc, Math.max(...counts));
    const spawnWorker = () => new Worker<SynthJob, SynthResult>(WORKER, ['--expose-gc', '--max-old-space-size=8192']);
    let worker = spawnWorker();
    try {
      const job = (c: Column, n: number): SynthJob => ({
        id: ++jobId,
        variant: c === 'oursNoCheck' ? 'ours' : c,
        flowValidation: c !== 'oursNoCheck',
        files: files.slice(0, n),
        outdir: path.join(scratch.dir, `cdk.out-${jobId}`),
        validation: false,
      });
      // Warm-up: load every code path once (not measured).
      for (const c of COLUMNS) await worker.request(job(c, 1), 120_000);
      for (const n of counts) {
        const reps = doc === docs.largest && n >= 100 ? 1 : options.synthReps;
        for (let rep = 0; rep < reps; rep++) {
          // Rotate the order so that no variant always runs first after a GC.
          const order = COLUMNS.map((_, i) => COLUMNS[(i + rep) % COLUMNS.length]);
          for (const c of order) {
            const cell = cells.get(key(doc.label, n, c)) ?? { times: [], retained: [] };
            cells.set(key(doc.label, n, c), cell);
            if (c === 'diy' && doc === docs.largest && n > 1) {
              cell.failure = 'fails: the document does not fit the template even for one flow';
              continue;
            }
            ctx.progress(`synth ${doc.label} N=${n} ${c} rep ${rep + 1}/${reps}`);
            if (doc === docs.largest && n >= 100) {
              // aws-cdk-lib keeps every App reachable after synth: a fresh process for each big job.
              await worker.close();
              worker = spawnWorker();
            }
            const r = await worker.request(job(c, n), 300_000);
            if (r.error) {
              cell.error = r.error;
              continue;
            }
            cell.times.push(r.ms);
            if (r.retainedBytes !== undefined) cell.retained.push(r.retainedBytes);
            cell.facts ??= r.facts;
            cell.warnings ??= r.warnings;
            if (c !== 'oursNoCheck' && r.facts) cell.failure ??= deployFailure(r.facts);
          }
        }
      }
      if (doc === docs.median) {
        for (const c of inlineCases) {
          for (const n of [1, 10]) {
            const r = await worker.request({ id: ++jobId, variant: 'ours', files: c.files.slice(0, n), outdir: path.join(scratch.dir, `cdk.out-${jobId}`), validation: false, flowValidation: c.check }, 120_000);
            if (r.facts) c.facts.push(r.facts);
          }
        }
      }
    } finally {
      await worker.close();
    }
  }

  // ---- table: warm synth time
  const timeCell = (c: Cell | undefined) => {
    if (!c) return '—';
    if (c.error) return `error: ${c.error}`;
    if (c.failure) return `✗ ${c.failure}`;
    return msSpread(c.times);
  };
  const ratioCell = (a: Cell | undefined, b: Cell | undefined) => (!a || !b || b.failure || a.failure || !a.times.length || !b.times.length ? '—' : ratio(a.times, b.times));
  const rows: string[][] = [];
  for (const doc of docList) {
    for (const n of options.flowCounts) {
      const get = (c: Column) => cells.get(key(doc.label, n, c));
      if (!get('ours')) continue;
      const ours = get('ours')!;
      const noCheck = get('oursNoCheck');
      const checkShare = noCheck && ours.times.length ? `${Math.max(0, Math.round((100 * (median(ours.times) - median(noCheck.times))) / median(ours.times)))}%` : '—';
      const kept = (c: Cell | undefined) => (c?.retained.length ? fmtBytes(Math.max(0, median(c.retained))) : '—');
      rows.push([
        doc.label, String(n), timeCell(ours), timeCell(noCheck), checkShare,
        timeCell(get('diy')), ratioCell(ours, get('diy')),
        timeCell(get('providerFramework')), ratioCell(ours, get('providerFramework')),
        `${kept(ours)} / ${kept(get('diy'))} / ${kept(get('providerFramework'))}`,
      ]);
    }
  }
  tables.push({
    title: 'Synth time in a warm process (construct + `app.synth()`, built-in template validation off)',
    intro:
      `Median (min–max) of ${options.synthReps} repetition(s) (1 for the largest document at N ≥ 100), variants interleaved in one process per document after a warm-up. ` +
      `Documents: median = \`${docs.median.name}\` (${fmtInt(docs.median.bytes)} B, v3.0, static: a draft), largest = \`${docs.largest.name}\` (${fmtInt(docs.largest.bytes)} B, endpoint flow: a draft, \`publish: false\`). ` +
      'Each flow gets its own copy of the document with its number in the first screen title, so N flows are N distinct documents (N S3 assets for content over 4 KiB). ' +
      '"✗" marks a configuration CloudFormation or IAM would refuse: a failure, not a timing.',
    columns: ['document', 'N', 'WhatsAppFlow', 'WhatsAppFlow, Flow JSON check skipped', 'check share', 'AwsCustomResource DIY', 'ours ÷ DIY', 'Provider framework', 'ours ÷ Provider', 'heap kept after synth: ours / DIY / Provider'],
    rows,
    notes: [
      '"Heap kept after synth": JavaScript heap still used after the synth and a full GC, compared with before it. aws-cdk-lib keeps an App reachable after its synth, so whatever the constructs hold stays in memory for the life of the process (a test suite, a CDK app with many stages).',
      'The Flow JSON check (`FlowJsonValidator` at synth) is included in "WhatsAppFlow"; "check share" is the part of our synth time it accounts for.',
      'Times include reading the files, hashing the content and staging the S3 assets into cdk.out (the largest document: N copies of 2.7 MB).',
    ],
  });

  {
    const big = cells.get(key(docs.largest.label, Math.max(...options.flowCounts.filter((n) => n <= options.largestDocMaxFlows)), 'ours'));
    const bigPf = cells.get(key(docs.largest.label, Math.max(...options.flowCounts.filter((n) => n <= options.largestDocMaxFlows)), 'providerFramework'));
    const n = Math.max(...options.flowCounts.filter((x) => x <= options.largestDocMaxFlows));
    if (big?.retained.length && bigPf?.retained.length && median(big.retained) > 4 * Math.max(median(bigPf.retained), 1) && median(big.retained) > n * docs.largest.bytes) {
      findings.push(
        `WhatsAppFlow keeps each document's text and parsed definition on the construct (\`flowJson.content\`, \`flowJson.definition\`) for the life of the process: after synthesizing ${n} flows of the largest document (${fmtBytes(docs.largest.bytes)} each) the heap keeps ${fmtBytes(median(big.retained))} (${(median(big.retained) / (n * docs.largest.bytes)).toFixed(1)}× the content), the Provider-framework baseline with the same properties ${fmtBytes(median(bigPf.retained))}. ` +
          'Content that goes through S3 needs only its hash, size and file path after construction: not holding the text and the parsed document (parse on demand, or keep them only for inline content) would free it, which matters for test suites and apps that synthesize many stacks in one process.',
      );
    }
  }

  // ---- table: template and IAM
  const factRows: string[][] = [];
  for (const doc of docList) {
    for (const n of options.flowCounts) {
      for (const v of VARIANTS) {
        const c = cells.get(key(doc.label, n, v));
        if (!c?.facts) continue;
        const f = c.facts;
        factRows.push([
          doc.label, String(n), VARIANT_LABEL[v], fmtBytes(f.bytes), f.bytes <= TEMPLATE_LIMIT_BYTES ? 'yes' : '**no**', String(f.resources),
          f.resources <= RESOURCE_LIMIT ? 'yes' : '**no**', String(f.functions), String(f.policyStatements), fmtInt(f.policyBytes),
          `${fmtInt(f.maxRoleInlineChars)}${f.maxRoleInlineChars > ROLE_INLINE_LIMIT ? ' **over**' : ''}`, INVOCATIONS_PER_EVENT[v].split(' ')[0],
        ]);
      }
    }
  }
  tables.push({
    title: 'Template and IAM per stack',
    columns: ['document', 'N', 'variant', 'template', '≤ 1 MB', 'resources', '≤ 500', 'Lambda functions', 'IAM statements', 'policy bytes', 'role inline policy chars (IAM limit 10,240)', 'Lambda invocations per event'],
    rows: factRows,
    notes: [
      'Template bytes: the file the CDK writes (what the CLI uploads). Policy bytes: every policy document minified, trust policies excluded; inline chars: the aggregate of the inline policies (AWS::IAM::Policy) attached to one role, as IAM counts it against its 10,240-character limit (pseudo parameters resolved, references to other resources left as written: a close estimate).',
      `Invocations per event: ${VARIANTS.map((v) => `${VARIANT_LABEL[v]} ${INVOCATIONS_PER_EVENT[v]}`).join('; ')}. The Provider framework also doubles the Lambda functions, log groups and roles to run and watch.`,
      'The DIY baseline also cannot choose DeprecateWhatsAppFlow for a published flow (its onDelete is fixed): deleting a stack with published flows fails. Its handler logs every event whole, Flow JSON included.',
    ],
  });

  // ---- table: how many flows fit
  const limitRows: string[][] = [];
  const fitN = (f1: TemplateFacts, fn: TemplateFacts, n: number, pick: (f: TemplateFacts) => number, limit: number): number => {
    if (pick(f1) > limit) return 0;
    const slope = (pick(fn) - pick(f1)) / (n - 1);
    if (slope <= 0) return Infinity;
    return 1 + Math.floor((limit - pick(f1)) / slope);
  };
  for (const doc of docList) {
    for (const v of VARIANTS) {
      const ns = options.flowCounts.filter((n) => cells.get(key(doc.label, n, v))?.facts);
      const f1 = cells.get(key(doc.label, 1, v))?.facts;
      const nMax = Math.max(...ns);
      const fn = cells.get(key(doc.label, nMax, v))?.facts;
      if (!f1) continue;
      if (!fn || nMax === 1) {
        // One point is no slope: only a template that already fails says something.
        if (f1.bytes > TEMPLATE_LIMIT_BYTES) limitRows.push([doc.label, VARIANT_LABEL[v], '0', '—', '—', '**0** (template, already at N = 1)']);
        continue;
      }
      const byBytes = fitN(f1, fn, nMax, (f) => f.bytes, TEMPLATE_LIMIT_BYTES);
      const byResources = fitN(f1, fn, nMax, (f) => f.resources, RESOURCE_LIMIT);
      const byIam = fitN(f1, fn, nMax, (f) => f.maxRoleInlineChars, ROLE_INLINE_LIMIT);
      const all: [string, number][] = [['template', byBytes], ['resources', byResources], ['IAM', byIam]];
      const [which, most] = all.reduce((a, b) => (b[1] < a[1] ? b : a));
      const show = (x: number) => (x === Infinity ? 'no limit' : fmtInt(x));
      limitRows.push([doc.label, VARIANT_LABEL[v], show(byBytes), show(byResources), show(byIam), `**${show(most)}** (${which})`]);
    }
  }
  // Our worst case: every flow inline at the 4 KiB threshold (measured, whatever rule the construct applies).
  const notes: string[] = [];
  let fewest = Infinity;
  for (const c of inlineCases) {
    if (c.facts.length !== 2) continue;
    const [f1, f10] = c.facts;
    const perFlow = (f10.bytes - f1.bytes) / 9;
    const byBytes = fitN(f1, f10, 10, (f) => f.bytes, TEMPLATE_LIMIT_BYTES);
    const byResources = fitN(f1, f10, 10, (f) => f.resources, RESOURCE_LIMIT);
    const most = Math.min(byBytes, byResources);
    const where = f10.inlineFlows === 10 ? 'inline' : f10.inlineFlows === 0 ? 'S3' : `${f10.inlineFlows} of 10 inline`;
    limitRows.push([c.label, `${VARIANT_LABEL.ours} (content ${where})`, fmtInt(byBytes), fmtInt(byResources), 'no limit', `**${fmtInt(most)}** (${byBytes <= byResources ? 'template' : 'resources'})`]);
    notes.push(`${c.label}: ${where}, ${fmtInt(perFlow)} B of template per flow.`);
    if (f10.inlineFlows > 0) fewest = Math.min(fewest, byBytes);
  }
  if (fewest < 200) {
    findings.push(
      `Flows whose content travels inline do not all fit 200 to a stack, as \`INLINE_CONTENT_MAX_BYTES\`'s doc comment says: at the threshold only ${fmtInt(fewest)} fit under 1 MB (see "How many flows fit"). ` +
        'The template holds the content escaped (quotes, backslashes and newlines double): compare the escaped size (`JSON.stringify(content).length`) with the threshold, or lower it.',
    );
  }
  tables.push({
    title: 'How many flows fit in one stack',
    intro: 'Extrapolated linearly from the templates at N = 1 and the largest N measured (each limit alone; the smallest one binds).',
    columns: ['document', 'variant', 'by template size (1 MB)', 'by resources (500)', 'by role inline policies (10,240 chars)', 'flows per stack'],
    rows: limitRows,
    notes: [
      ...notes,
      'Beyond that, split flows across stacks (for example one stack per WABA or per team): each stack has its own provider function, and its flows deploy in parallel with the other stacks\'.',
      'The DIY baseline is bound by IAM long before the template: each AwsCustomResource adds an inline policy to the one shared role.',
    ].filter(Boolean),
  });

  // ---- table: cdk synth in a fresh process, with and without the built-in validation
  // Fresh processes are slow (the validator alone takes seconds): ours at N = 1, every variant at N = 200.
  const freshPlan: Array<{ n: number; v: Variant; validations: boolean[] }> = options.quick
    ? [{ n: 1, v: 'ours', validations: [false] }]
    : [{ n: 1, v: 'ours', validations: [false, true] }, ...VARIANTS.map((v) => ({ n: 200, v, validations: [false, true] }))];
  const freshCounts = [...new Set(freshPlan.map((p) => p.n))];
  const freshReps = options.quick ? 1 : 2;
  const fresh = new Map<string, { wall: number[]; loaded: number[]; synth: number[] }>();
  const freshFiles = variantFiles(scratch.sub('flows-median'), docs.median, Math.max(...freshCounts));
  for (let rep = 0; rep < freshReps; rep++) {
    for (const { n, v, validations } of freshPlan) {
      {
        for (const validation of rep % 2 ? [...validations].reverse() : validations) {
          ctx.progress(`fresh synth ${v} N=${n} validation=${validation} rep ${rep + 1}/${freshReps}`);
          const job: SynthJob = { id: ++jobId, variant: v, files: freshFiles.slice(0, n), outdir: path.join(scratch.dir, `cdk.out-${jobId}`), validation };
          const [cmd, args] = tsxArgs(WORKER, ['--once', JSON.stringify(job)]);
          const r = await runTimed(cmd, args, { timeoutMs: 180_000 });
          const line = r.stdout.trim().split('\n').pop() ?? '';
          let parsed: SynthResult | undefined;
          try {
            parsed = JSON.parse(line);
          } catch {
            parsed = undefined;
          }
          const k = `${v}|${n}|${validation}`;
          const e = fresh.get(k) ?? { wall: [], loaded: [], synth: [] };
          fresh.set(k, e);
          if (r.code === 0 && parsed && !parsed.error) {
            e.wall.push(r.wallMs);
            e.loaded.push(parsed.loadedAtMs ?? NaN);
            e.synth.push(parsed.ms);
          }
        }
      }
    }
  }
  const freshRows: string[][] = [];
  for (const n of freshCounts) {
    for (const v of freshPlan.filter((p) => p.n === n).map((p) => p.v)) {
      const off = fresh.get(`${v}|${n}|false`);
      const on = fresh.get(`${v}|${n}|true`);
      const oursOn = fresh.get(`ours|${n}|true`);
      freshRows.push([
        String(n), VARIANT_LABEL[v], msSpread(off?.loaded ?? []), msSpread(off?.wall ?? []), msSpread(on?.wall ?? []),
        on && off && on.wall.length && off.wall.length ? fmtMs(median(on.wall) - median(off.wall)) : '—',
        v === 'ours' || !oursOn || !on ? '—' : ratio(oursOn.wall, on.wall),
      ]);
    }
  }
  tables.push({
    title: '`cdk synth` in a fresh process, with and without aws-cdk-lib\'s built-in template validation',
    intro:
      `Each run is a new Node process (as \`cdk synth\` runs the app): start, load aws-cdk-lib and the construct library (TypeScript through tsx, cached), build and synthesize N flows of the median document. ` +
      `Validation toggled with \`new App({ builtinCloudFormationValidation })\` (in aws-cdk-lib 2.276 \`CDK_VALIDATION=false\` and \`cdk synth --no-validation\` also work; \`"validation": false\` in cdk.json does not). Median (min–max) of ${freshReps}.`,
    columns: ['N', 'variant', 'modules loaded at', 'synth, validation off', 'synth, validation on', 'validation cost', 'ours ÷ this (validation on)'],
    rows: freshRows,
    notes: ['The built-in validation is a WebAssembly CloudFormation validator: most of its cost is loading it, once per process, whatever the template.'],
  });

  return { id: 'synth', title: 'Synth', tables, findings, durationMs: now() - started };
}
