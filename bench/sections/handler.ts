/**
 * The handler: what the bundle weighs (and what in it), how fast a fresh container starts compared
 * with loading the SDK clients unbundled, and how much memory a 10 MB flow takes.
 */
import * as childProcess from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { FlowEmulator } from '../../local/emulator';
import { LambdaContainer, LambdaFunctionConfig, ResponseServer, sendCustomResourceEvent } from '../../local/lambda/host';
import { customResourceFunctionCode, publishFileAssets, SynthesizedStack, synthesize } from '../../local/deploy/in-process-synth';
import { CustomResourceView, describeStack } from '../../local/cloudformation/engine';
import { HANDLER_MEMORY_MB } from '../../lib/provider';
import { MAX_FLOW_JSON_BYTES, RESOURCE_TYPE } from '../../lib/shared/contract';
import { HANDLER_BUNDLE, ROOT } from '../support/context';
import type { SectionResult, Table } from '../support/report';
import type { SectionContext } from '../support/section';
import { benchEnv, buildApp } from '../support/stacks';
import { fmtBytes, fmtMs, fmtRatio, median, msSpread, now } from '../support/stats';

const MB = 1024 * 1024;
const ENV = benchEnv();

/** The stack's flow (its event properties) and the configuration its function runs with, as the local engine reads them. */
function flowAndFunction(stack: SynthesizedStack, endpoint: string): { flow: CustomResourceView; config: LambdaFunctionConfig } {
  const d = describeStack(stack.template, ENV, customResourceFunctionCode(stack, ENV), '/');
  const flow = d.customResources.find((r) => r.resourceType === RESOURCE_TYPE)!;
  return { flow, config: { ...d.functionConfig(flow.functionId!), endpoint } };
}

function loadEsbuild(): typeof import('esbuild') | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: the section is skipped when esbuild cannot be loaded
    return require('esbuild');
  } catch {
    return undefined;
  }
}

/**
 * Two bundles made like the handler's, one with the socialmessaging client alone and one with the
 * S3 client too (each constructing its clients), to time what the S3 client adds to a cold start.
 */
async function clientBundles(outdir: string): Promise<{ smOnly: string; smAndS3: string } | undefined> {
  const esbuild = loadEsbuild();
  if (!esbuild) return undefined;
  const sm = "const { SocialMessagingClient } = require('@aws-sdk/client-socialmessaging'); new SocialMessagingClient({});";
  const s3 = "const { S3Client } = require('@aws-sdk/client-s3'); new S3Client({});";
  const out = { smOnly: path.join(outdir, 'sm-only.js'), smAndS3: path.join(outdir, 'sm-and-s3.js') };
  for (const [file, code] of [[out.smOnly, sm], [out.smAndS3, `${sm}\n${s3}`]] as const) {
    await esbuild.build({
      stdin: { contents: code, resolveDir: ROOT, loader: 'js' },
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minify: true,
      mainFields: ['module', 'main'],
      target: 'node22',
      logLevel: 'silent',
    });
  }
  return out;
}

/** The handler build's esbuild metafile, which scripts/bundle.mjs writes (npm run bench runs it first). */
const HANDLER_METAFILE = path.join(ROOT, 'node_modules', '.cache', 'whatsapp-flow-cdk', 'handler-metafile.json');

/** Bytes of the bundle by the package they come from, from the metafile of the build that made it. */
function bundleComposition(): Array<[string, number]> | undefined {
  if (!fs.existsSync(HANDLER_METAFILE)) return undefined;
  const metafile: import('esbuild').Metafile = JSON.parse(fs.readFileSync(HANDLER_METAFILE, 'utf8'));
  const byPackage = new Map<string, number>();
  for (const out of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const pkg = m ? m[1] : input.startsWith('lambda/') ? 'lambda/ (the handler)' : input.startsWith('lib/') ? 'lib/shared (the wire contract)' : input;
      const group = pkg.startsWith('@smithy/') ? '@smithy/* (SDK runtime)' : pkg.startsWith('@aws-crypto/') ? '@aws-crypto/*' : pkg;
      byPackage.set(group, (byPackage.get(group) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()].sort((a, b) => b[1] - a[1]);
}

/** Time from spawn to the child's first line on stdout. */
function timeToLine(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const { spawn } = childProcess;
    const t0 = now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let t: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.once('data', () => {
      t = now() - t0;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (t === undefined || code !== 0) reject(new Error(`child exited ${code} without its line`));
      else resolve(t);
    });
  });
}

export async function handlerSection(ctx: SectionContext): Promise<SectionResult> {
  const started = now();
  const { options, scratch } = ctx;
  if (!fs.existsSync(HANDLER_BUNDLE)) {
    return { id: 'handler', title: 'The handler', tables: [], findings: [], durationMs: 0, skipped: 'lambda/dist/index.js is missing: run `npm run build` first' };
  }
  const tables: Table[] = [];
  const findings: string[] = [];

  // ---- bundle bytes
  const bundle = fs.readFileSync(HANDLER_BUNDLE);
  const gz = zlib.gzipSync(bundle, { level: 9 }).length;
  ctx.progress('handler: bundle composition');
  const composition = bundleComposition();
  const compositionText = composition ? composition.slice(0, 8).map(([p, b]) => `${p} ${fmtBytes(b)}`).join(', ') : 'no metafile of the handler build (run npm run build:handler)';
  const s3Bytes = composition?.filter(([p]) => p === '@aws-sdk/client-s3' || p === '@aws-sdk/middleware-sdk-s3' || p === '@aws-sdk/signature-v4-multi-region' || p === '@aws-sdk/xml-builder' || p === '@aws-sdk/util-arn-parser').reduce((a, [, b]) => a + b, 0) ?? 0;

  // ---- cold start, interleaved
  const env = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDLOCALLOCALLOCAL0', AWS_SECRET_ACCESS_KEY: 'local', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const printLine = "process.stdout.write('ok\\n')";
  const variants: Array<{ label: string; run: () => Promise<number> }> = [
    { label: 'node, empty script (process floor)', run: () => timeToLine(['-e', printLine], ROOT, env) },
    { label: 'bundle: `require` (entry point only; the rest loads on the first event)', run: () => timeToLine(['-e', `require(${JSON.stringify(HANDLER_BUNDLE)});${printLine}`], ROOT, env) },
    {
      label: 'unbundled: `require` client-socialmessaging + client-s3 from node_modules',
      run: () => timeToLine(['-e', `require('@aws-sdk/client-socialmessaging');require('@aws-sdk/client-s3');${printLine}`], ROOT, env),
    },
  ];
  const clients = await clientBundles(scratch.sub('client-bundles')).catch(() => undefined);
  if (clients) {
    variants.push(
      { label: 'bundle of client-socialmessaging alone: `require` + new client', run: () => timeToLine(['-e', `require(${JSON.stringify(clients.smOnly)});${printLine}`], ROOT, env) },
      { label: 'bundle of client-socialmessaging + client-s3: `require` + new clients', run: () => timeToLine(['-e', `require(${JSON.stringify(clients.smAndS3)});${printLine}`], ROOT, env) },
    );
  }
  // First event answered: a fresh Lambda container (the local host), a Delete of a failed create
  // (the whole handler and both SDK clients load; no service call) and a Create against the emulator.
  const emulator = await FlowEmulator.start({ idSeed: 'bench-cold' });
  const responses = await ResponseServer.start();
  const out = scratch.sub('handler-out');
  const files = [path.join(scratch.sub('handler-flows'), 'small.json')];
  fs.writeFileSync(files[0], ctx.docs.median.text);
  const stack = synthesize(({ outdir }) => buildApp({ variant: 'ours', files, outdir, validation: false }), { outdir: path.join(out, 'small'), context: {}, validate: false }).stacks[0];
  publishFileAssets(stack, ENV, emulator);
  const { flow, config } = flowAndFunction(stack, emulator.endpoint);
  let seq = 0;
  const coldInvoke = async (kind: 'Delete' | 'Create'): Promise<number> => {
    const container = new LambdaContainer(config);
    try {
      emulator.reset();
      publishFileAssets(stack, ENV, emulator);
      const o = await sendCustomResourceEvent(
        container,
        responses,
        {
          RequestType: kind,
          ServiceToken: String(flow.properties.ServiceToken),
          StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/BenchFlows/cold',
          RequestId: `cold-${++seq}`,
          LogicalResourceId: flow.logicalId,
          ResourceType: RESOURCE_TYPE,
          ResourceProperties: flow.properties,
          ...(kind === 'Delete' ? { PhysicalResourceId: 'WhatsAppFlow::CREATE_FAILED' } : {}),
        },
        { serviceTimeoutMs: 60_000 },
      );
      if (o.status !== 'SUCCESS' || !o.invocation?.coldStart) throw new Error(`cold ${kind} failed: ${o.reason}`);
      return o.invocation.durationMs;
    } finally {
      await container.stop();
    }
  };
  variants.push(
    { label: 'bundle, fresh container: first event answered (Delete of a failed create: no service call)', run: () => coldInvoke('Delete') },
    { label: 'bundle, fresh container: first Create answered (List + Create against the emulator, 0 ms latency)', run: () => coldInvoke('Create') },
  );
  const samples = variants.map(() => [] as number[]);
  try {
    for (const v of variants) await v.run().catch(() => undefined); // warm the page cache
    for (let rep = 0; rep < options.coldStarts; rep++) {
      ctx.progress(`handler: cold starts ${rep + 1}/${options.coldStarts}`);
      for (let i = 0; i < variants.length; i++) {
        const k = (i + rep) % variants.length;
        samples[k].push(await variants[k].run());
      }
    }
  } catch (e) {
    await responses.close();
    await emulator.close();
    throw e;
  }
  const floor = median(samples[0]);
  const label = (prefix: string) => variants.findIndex((v) => v.label.startsWith(prefix));
  const iSm = label('bundle of client-socialmessaging alone');
  const iSmS3 = label('bundle of client-socialmessaging + client-s3');
  const s3Cold = iSm >= 0 && iSmS3 >= 0 ? median(samples[iSmS3]) - median(samples[iSm]) : NaN;
  const unbundled = samples[2];
  tables.push({
    title: 'Handler bundle and cold start',
    intro:
      `Bundle \`lambda/dist/index.js\`: ${fmtBytes(bundle.length)} (${fmtBytes(gz)} gzipped). Largest parts: ${compositionText}. ` +
      `Cold start: median (min–max) of ${options.coldStarts} fresh processes each, variants interleaved; "fresh container" is the local Lambda host (local/lambda/host.ts): spawn, init, invoke, answer received on the ResponseURL.`,
    columns: ['fresh process', 'time', 'minus the process floor', '÷ unbundled SDK require'],
    rows: variants.map((v, i) => [v.label, msSpread(samples[i]), fmtMs(median(samples[i]) - floor), i === 2 || i === 0 ? '—' : fmtRatio(median(samples[i]) / median(unbundled))]),
    notes: [
      'On Lambda the container and runtime start are AWS\'s; what the bundle decides is the part above the floor: loading and initializing its code and SDK clients.',
      ...(Number.isFinite(s3Cold) ? [`The S3 client (${fmtBytes(s3Bytes)} of the bundle with its S3-only middleware) costs about ${fmtMs(s3Cold)} of a cold start whenever it is loaded (the two client bundles above, side by side); compare it with the two "fresh container" rows to see whether an event that needs no S3 object pays it.`] : []),
    ],
  });


  // ---- peak memory for a 10 MB flow
  ctx.progress('handler: 10 MB flow');
  const big = (marker: string) => {
    const base = { version: '7.3', screens: [{ id: 'WELCOME', title: marker, terminal: true, data: { blob: { type: 'string', __example__: '' } }, layout: { type: 'SingleColumnLayout', children: [{ type: 'TextBody', text: 'Hello' }, { type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }] } }] };
    const overhead = JSON.stringify(base, undefined, 2).length + 64;
    base.screens[0].data.blob.__example__ = marker.repeat(MAX_FLOW_JSON_BYTES - 1024 - overhead);
    return JSON.stringify(base, undefined, 2);
  };
  const dir = scratch.sub('handler-big');
  const v1 = path.join(dir, 'v1', 'big.json');
  const v2 = path.join(dir, 'v2', 'big.json');
  fs.mkdirSync(path.dirname(v1), { recursive: true });
  fs.mkdirSync(path.dirname(v2), { recursive: true });
  fs.writeFileSync(v1, big('a'));
  fs.writeFileSync(v2, big('b'));
  const size = fs.statSync(v1).size;
  const s1 = synthesize(({ outdir }) => buildApp({ variant: 'ours', files: [v1], outdir, validation: false, publish: true }), { outdir: path.join(out, 'big1'), context: {}, validate: false }).stacks[0];
  const s2 = synthesize(({ outdir }) => buildApp({ variant: 'ours', files: [v2], outdir, validation: false, publish: true }), { outdir: path.join(out, 'big2'), context: {}, validate: false }).stacks[0];
  emulator.reset();
  publishFileAssets(s1, ENV, emulator);
  publishFileAssets(s2, ENV, emulator);
  const first = flowAndFunction(s1, emulator.endpoint);
  const c = new LambdaContainer(first.config);
  const memRows: string[][] = [];
  let peakNote: string;
  try {
    const f1 = first.flow.properties;
    const f2 = flowAndFunction(s2, emulator.endpoint).flow.properties;
    const base = { ServiceToken: String(f1.ServiceToken), StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/BenchFlows/mem', LogicalResourceId: first.flow.logicalId, ResourceType: RESOURCE_TYPE };
    const idle = await sendCustomResourceEvent(c, responses, { ...base, RequestType: 'Delete', RequestId: 'mem-0', ResourceProperties: f1, PhysicalResourceId: 'WhatsAppFlow::CREATE_FAILED' }, { serviceTimeoutMs: 60_000 });
    const created = await sendCustomResourceEvent(c, responses, { ...base, RequestType: 'Create', RequestId: 'mem-1', ResourceProperties: f1 }, { serviceTimeoutMs: 120_000 });
    const updated = await sendCustomResourceEvent(c, responses, { ...base, RequestType: 'Update', RequestId: 'mem-2', ResourceProperties: f2, OldResourceProperties: f1, PhysicalResourceId: created.physicalResourceId }, { serviceTimeoutMs: 120_000 });
    // The idle handler's resident memory (after a no-op event) is the baseline.
    const baseline = idle.invocation?.rss ?? NaN;
    for (const [label, o] of [['loaded, idle (after a no-op event)', idle], ['Create (publish: true)', created], ['Update of the content', updated]] as const) {
      const peak = o.invocation?.maxRss ?? NaN;
      memRows.push([label, o.status, fmtBytes(o.invocation?.rss ?? NaN), fmtBytes(peak), `${(peak / size).toFixed(1)}×`, o === idle ? '—' : `${((peak - baseline) / size).toFixed(1)}×`, fmtMs(o.invocation?.durationMs ?? NaN)]);
    }
    const peak = Math.max(created.invocation?.maxRss ?? 0, updated.invocation?.maxRss ?? 0);
    peakNote = `The function has ${HANDLER_MEMORY_MB} MB: the peak, ${fmtBytes(peak)}, is ${Math.round((100 * peak) / (HANDLER_MEMORY_MB * MB))}% of it.`;
    if ((peak - baseline) / size > 4) {
      findings.push(`Creating and updating a ${fmtBytes(size)} flow peaks at ${fmtBytes(peak)} RSS, ${((peak - baseline) / size).toFixed(1)}× the content above the idle handler (${fmtBytes(baseline)} resident after a no-op event): each upload holds the content's bytes and the SDK's request body (base64 inside JSON) as a string and then as bytes, about 4× the content; the Update of a published flow also holds the content in place, read back first as the restore point (put back if Meta refuses the new one); and the Update's peak also counts what the Create left for the garbage collector (with a heap limit of ${Math.floor(HANDLER_MEMORY_MB * 0.9)} MB, V8 collects late). Each event on its own, with garbage collected before it, stays under 6× (test/lambda/large-content.test.ts). Streaming the base64 encoding would cut it further; ${HANDLER_MEMORY_MB} MB leaves room, so this matters only if the memory is lowered.`);
    }
  } finally {
    await c.stop();
    await responses.close();
    await emulator.close();
  }
  tables.push({
    title: `Handler memory for a ${fmtBytes(size)} flow`,
    intro: `A publishable v7.3 document of ${fmtBytes(size)} (10 MB less 1 KiB, the bulk in a data example), through its S3 asset, in one warm container (heap limit from the function's ${HANDLER_MEMORY_MB} MB, as Lambda's Node runtime sets it). Peak RSS is the child's \`process.resourceUsage().maxRSS\`.`,
    columns: ['event', 'answer', 'RSS after it', 'peak RSS so far', 'peak ÷ content', '(peak − idle RSS) ÷ content', 'event time'],
    rows: memRows,
    notes: [peakNote].filter(Boolean),
  });

  return { id: 'handler', title: 'The handler', tables, findings, durationMs: now() - started };
}
