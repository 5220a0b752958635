/**
 * `whatsapp-flow diff --live <cdk.out>`: compares each flow a cloud assembly declares with the
 * flows live in its WABA (content, name, categories, status), and lists the live flows no construct
 * declares: the drift that edits in WhatsApp Manager, hand publishing and deletions outside
 * CloudFormation leave, as `terraform plan` and `cdk diff` show their users. Reads only
 * (ListWhatsAppFlows, ListWhatsAppFlowAssets and the asset's download link); credentials, Region
 * and endpoint come from the environment, as for the AWS CLI.
 *
 * A declared flow is matched with a live one by its physical id when the local deploy state knows
 * it (`npm start`'s `.local/deployed.json`), else by name in its WABA.
 *
 * Exit codes: 0 every declared flow is as live, 2 some flow differs or is missing (with --strict,
 * also: live flows that no construct declares), 1 errors (bad usage, an input that cannot be read,
 * a failed service call), 3 internal.
 */
import * as path from 'path';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { MAX_FLOW_JSON_BYTES, parsePhysicalId, wabaAccountId } from '../../lib/shared/contract';
import { canonicalTextSha256 } from '../../lib/shared/canonical-json';
import { StateDir, StateError } from '../../local/deploy/state';
import { writeReport } from '../output';
import { FlowDecl, InputError, readAssembly, readContent } from './assembly-flows';
import { ContentDiff, diffContent } from './content';
import { formatBytes } from './report';
import { downloadJson, FlowSummary, listFlows, regionOfArn, ServiceError, socialMessagingClient } from '../service-reader';
import { ExitCode } from '../command';
import type { Io } from '../io';

const HELP = `usage: whatsapp-flow diff --live <assembly> [--format text|markdown|json] [--state-dir <dir>] [--region <region>] [--strict] [--out <file>]

Compares each WhatsApp Flow of a synthesized cloud assembly with the flows
live in its WABA: content, name, categories and status (edited in WhatsApp
Manager, published by hand, deprecated or deleted outside CloudFormation), and
lists the live flows that no construct declares. Reads only: ListWhatsAppFlows,
ListWhatsAppFlowAssets and the Flow JSON download.

arguments:
  <assembly>         the cdk.out folder of what is deployed (synthesize the
                     deployed commit)

options:
  --format text      plain text (default)
  --format markdown  a report for an issue or a job summary
  --format json      one JSON document: { drift, errors, flows, unmanaged }
  --state-dir <dir>  the local deploy's state folder (default .local): the
                     physical id of each flow it deployed; without it, flows
                     are matched by name in their WABA
  --region <name>    the Region of the WABAs (default: the Region of an ARN,
                     else AWS_REGION or the profile's)
  --strict           live flows that no construct declares count as drift
  --out <file>       write the report to this file instead of stdout
  -h, --help         show this help

Credentials and the endpoint come from the AWS SDK's usual chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL_SOCIALMESSAGING).

exit codes:
  0  every flow is as live (live flows no construct declares are listed)
  1  errors: bad usage, an assembly that cannot be read, a failed service call
  2  some flow differs from what is live or is missing (with --strict, also a
     live flow that no construct declares)
  3  an internal error (a bug: please report it)
`;

/** Flows whose content is fetched at the same time. */
const CONCURRENCY = 4;
/** Content entries kept per flow. */
const MAX_ENTRIES = 100;

type Format = 'text' | 'markdown' | 'json';
const FORMATS: readonly Format[] = ['text', 'markdown', 'json'];

interface Options {
  readonly assembly: string;
  readonly format: Format;
  readonly stateDir: string;
  readonly stateDirGiven: boolean;
  readonly region?: string;
  readonly strict: boolean;
  readonly out?: string;
}

/** How a declared flow compares with what is live. */
export type LiveState = 'in sync' | 'drift' | 'missing' | 'skipped';

/** One difference between a declared flow and its live flow. */
export interface Difference {
  readonly what: 'content' | 'name' | 'categories' | 'status';
  readonly text: string;
}

export interface LiveFlow {
  readonly stack: string;
  readonly logicalId: string;
  readonly flowName: string;
  readonly sourceFile?: string;
  readonly wabaId?: string;
  readonly state: LiveState;
  /** The live flow it was compared with, and how it was found. */
  readonly live?: { readonly flowId: string; readonly flowName: string; readonly status: string; readonly matchedBy: 'physical id' | 'name' };
  readonly differences: Difference[];
  /** What changed in the content, live → declared (what a deploy would put back). */
  readonly content?: ContentDiff;
  /** Why a missing or skipped flow is so. */
  readonly reason?: string;
}

export interface LiveReport {
  readonly flows: LiveFlow[];
  /** Live flows that no construct of the assembly declares, by WABA (deprecated ones only counted). */
  readonly unmanaged: Array<{ readonly wabaId: string; readonly flows: FlowSummary[]; readonly deprecated: number }>;
  /** Flows that differ or are missing. */
  readonly drift: number;
}

export async function run(args: string[], io: Io): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(HELP);
    return ExitCode.OK;
  }
  if (typeof parsed === 'string') {
    io.stderr(`whatsapp-flow diff --live: ${parsed} (see whatsapp-flow diff --live --help)\n`);
    return ExitCode.ERRORS;
  }
  let client: SocialMessagingClient | undefined;
  let report: LiveReport;
  try {
    const assembly = await readAssembly(parsed.assembly, io.cwd);
    const ids = readPhysicalIds(path.resolve(io.cwd, parsed.stateDir), parsed.stateDirGiven);
    const wabaOf = (f: FlowDecl) => f.wabaId.literal ?? ids.get(key(f))?.wabaId;
    const region = parsed.region ?? assembly.flows.map((f) => wabaOf(f)).map((w) => (w ? regionOfArn(w) : undefined)).find((r) => r !== undefined);
    client = socialMessagingClient(region);
    report = await compare(client, assembly.flows, ids, wabaOf);
  } catch (e) {
    if (e instanceof InputError || e instanceof ServiceError || e instanceof StateError) {
      io.stderr(`whatsapp-flow diff --live: ${e.message}\n`);
      return ExitCode.ERRORS;
    }
    throw e;
  } finally {
    client?.destroy();
  }
  const text = parsed.format === 'json' ? `${JSON.stringify(report, undefined, 2)}\n` : parsed.format === 'markdown' ? renderMarkdown(report) : renderText(report);
  if (!(await writeReport(io, parsed.out, text, 'whatsapp-flow diff --live'))) return ExitCode.ERRORS;
  const unmanaged = report.unmanaged.reduce((n, u) => n + u.flows.length, 0);
  return report.drift > 0 || (parsed.strict && unmanaged > 0) ? ExitCode.CHANGES : ExitCode.OK;
}

function parseArgs(args: string[]): Options | 'help' | string {
  const operands: string[] = [];
  const values: Record<string, string> = {};
  let strict = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--strict') {
      strict = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    const m = /^--(format|state-dir|region|out)(?:=(.*))?$/s.exec(arg);
    if (!m) return `unknown option ${JSON.stringify(arg)}`;
    const v = m[2] ?? args[++i];
    if (v === undefined || v === '') return `--${m[1]} needs a value`;
    values[m[1]] = v;
  }
  if (operands.length !== 1) return `expected one cloud assembly folder (what is deployed), got ${operands.length}`;
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return `--format must be ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`;
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(values.region)) return `--region must be an AWS Region such as us-east-1, got ${JSON.stringify(values.region)}`;
  return { assembly: operands[0], format, stateDir: values['state-dir'] ?? '.local', stateDirGiven: values['state-dir'] !== undefined, region: values.region, strict, out: values.out };
}

function key(f: { stack: string; logicalId: string }): string {
  return `${f.stack}\u0000${f.logicalId}`;
}

/** The physical ids (and resolved WABAs) the local deploy state records, by stack and logical id. */
function readPhysicalIds(dir: string, given: boolean): Map<string, { flowId: string; wabaId?: string }> {
  const out = new Map<string, { flowId: string; wabaId?: string }>();
  const state = new StateDir(dir);
  let deployed;
  try {
    deployed = state.read();
  } catch (e) {
    if (given) throw e;
    return out; // a default folder that is not usable is ignored: flows are matched by name
  }
  for (const stack of Object.values(deployed.stacks)) {
    for (const [logicalId, r] of Object.entries(stack.resources)) {
      const id = parsePhysicalId(r.physicalId);
      if (!id) continue;
      const waba = typeof r.properties.WabaId === 'string' ? r.properties.WabaId : undefined;
      out.set(key({ stack: stack.stackName, logicalId }), { flowId: id.flowId, wabaId: waba });
    }
  }
  return out;
}

/** The live flow a declared one is compared with, or why there is none (skipped: it cannot be told). */
type Match = { readonly live: FlowSummary; readonly by: 'physical id' | 'name' } | { readonly reason: string; readonly skipped: boolean };

async function compare(
  client: SocialMessagingClient,
  declared: FlowDecl[],
  ids: Map<string, { flowId: string; wabaId?: string }>,
  wabaOf: (f: FlowDecl) => string | undefined,
): Promise<LiveReport> {
  // The flows of each WABA, listed once (an id and its ARN are the same WABA).
  const wabas = new Map<string, { id: string; flows: FlowSummary[]; claimed: Set<string> }>();
  for (const f of declared) {
    const w = wabaOf(f);
    if (w !== undefined && !wabas.has(wabaAccountId(w))) wabas.set(wabaAccountId(w), { id: w, flows: [], claimed: new Set() });
  }
  for (const w of wabas.values()) w.flows.push(...(await listFlows(client, w.id)));

  // Match first by physical id, then by name, so that an id-matched flow is never taken by name.
  const matches = new Map<FlowDecl, Match>();
  for (const f of declared) {
    const w = wabaOf(f);
    const known = ids.get(key(f));
    if (w === undefined) {
      matches.set(f, { skipped: true, reason: `its wabaId is resolved at deploy (${f.wabaId.text}) and the local deploy state does not record it` });
      continue;
    }
    if (!known) continue;
    const waba = wabas.get(wabaAccountId(w))!;
    const live = waba.flows.find((s) => s.flowId === known.flowId);
    if (live) {
      waba.claimed.add(live.flowId);
      matches.set(f, { live, by: 'physical id' });
    } else {
      matches.set(f, { skipped: false, reason: `flow ${known.flowId}, which the local deploy state records, is not in ${w}: deleted outside CloudFormation` });
    }
  }
  for (const f of declared) {
    if (matches.has(f)) continue;
    const waba = wabas.get(wabaAccountId(wabaOf(f)!))!;
    const name = f.flowName.literal;
    if (name === undefined) {
      matches.set(f, { skipped: true, reason: `its flowName is resolved at deploy (${f.flowName.text})` });
      continue;
    }
    const candidates = waba.flows.filter((s) => s.flowName === name && !waba.claimed.has(s.flowId));
    const live = candidates.find((s) => s.status !== 'DEPRECATED') ?? candidates[0];
    if (live) {
      waba.claimed.add(live.flowId);
      matches.set(f, { live, by: 'name' });
    } else {
      matches.set(f, { skipped: false, reason: `no flow named ${JSON.stringify(name)} in ${waba.id}: not deployed yet, or deleted outside CloudFormation` });
    }
  }

  const results: LiveFlow[] = new Array(declared.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < declared.length) {
      const i = next++;
      results[i] = await compareOne(client, declared[i], wabaOf(declared[i]), matches.get(declared[i])!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, declared.length) }, worker));

  const unmanaged = [...wabas.values()].map((w) => {
    const rest = w.flows.filter((s) => !w.claimed.has(s.flowId));
    return { wabaId: w.id, flows: rest.filter((s) => s.status !== 'DEPRECATED'), deprecated: rest.filter((s) => s.status === 'DEPRECATED').length };
  }).filter((u) => u.flows.length > 0 || u.deprecated > 0);
  return { flows: results, unmanaged, drift: results.filter((r) => r.state === 'drift' || r.state === 'missing').length };
}

async function compareOne(
  client: SocialMessagingClient,
  f: FlowDecl,
  wabaId: string | undefined,
  match: Match,
): Promise<LiveFlow> {
  const base = {
    stack: f.stack,
    logicalId: f.logicalId,
    flowName: f.flowName.literal ?? f.flowName.text,
    ...(f.sourceFile !== undefined ? { sourceFile: f.sourceFile } : {}),
    ...(wabaId !== undefined ? { wabaId } : {}),
  };
  if ('reason' in match) return { ...base, state: match.skipped ? 'skipped' : 'missing', differences: [], reason: match.reason };
  const { live } = match;
  const differences: Difference[] = [];
  if (f.flowName.literal !== undefined && live.flowName !== f.flowName.literal) {
    differences.push({ what: 'name', text: `named ${JSON.stringify(live.flowName)} live, ${JSON.stringify(f.flowName.literal)} declared: renamed outside CloudFormation` });
  }
  if (f.categories && !sameSet(f.categories, live.categories)) {
    differences.push({ what: 'categories', text: `categories ${live.categories.join(', ') || '(none)'} live, ${f.categories.join(', ')} declared` });
  }
  const status = statusDifference(live.status, f.publish);
  if (status) differences.push({ what: 'status', text: status });
  let content: ContentDiff | undefined;
  if (f.content && live.status !== 'DEPRECATED') {
    const liveText = await downloadJson(client, wabaId!, live.flowId);
    if (liveText === undefined) {
      differences.push({ what: 'content', text: 'no Flow JSON live: the declared content is not there' });
    } else if (canonicalTextSha256(liveText) !== f.content.sha256) {
      const declaredText = await readContent(f.content, 4 * MAX_FLOW_JSON_BYTES);
      content = diffContent(liveText, declaredText, { maxEntries: MAX_ENTRIES });
      differences.push({ what: 'content', text: `content differs (${formatBytes(content.oldBytes)} live, ${formatBytes(content.newBytes)} declared): edited outside CloudFormation, or not deployed yet` });
    }
  }
  return {
    ...base,
    state: differences.length > 0 ? 'drift' : 'in sync',
    live: { flowId: live.flowId, flowName: live.flowName, status: live.status, matchedBy: match.by },
    differences,
    ...(content ? { content } : {}),
  };
}

/** What the live status means against the declared `publish`; undefined when they agree. */
function statusDifference(status: string, publish: boolean | undefined): string | undefined {
  if (status === 'DEPRECATED') return 'DEPRECATED live: deprecated outside CloudFormation; it can no longer be sent or changed, and the next deploy re-creates it under a new id';
  if (status === 'BLOCKED' || status === 'THROTTLED') return `${status} live: Meta restricts it; deploys leave it unchanged until Meta lifts it`;
  if (status === 'PUBLISHED' && publish === false) return 'PUBLISHED live, publish false declared: published outside CloudFormation (a published flow cannot return to draft)';
  if (status === 'DRAFT' && publish === true) return 'DRAFT live, publish true declared: not published (the last deploy failed to publish it, or it was re-created outside CloudFormation)';
  return undefined;
}

function sameSet(a: string[], b: string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

// ---------------------------------------------------------------------------------------------
// Output

function title(f: LiveFlow): string {
  return `${f.stack}/${f.logicalId} ${JSON.stringify(f.flowName)}${f.sourceFile !== undefined ? ` (${f.sourceFile})` : ''}`;
}

function liveText(f: LiveFlow): string {
  return f.live ? `live flow ${f.live.flowId} (${f.live.status}, matched by ${f.live.matchedBy})` : '';
}

function totals(r: LiveReport): string {
  const counted = r.flows.filter((f) => f.state !== 'skipped').length;
  const unmanaged = r.unmanaged.reduce((n, u) => n + u.flows.length, 0);
  const skipped = r.flows.length - counted;
  return `flows that differ from what is live: ${r.drift} of ${counted}${skipped > 0 ? ` (${skipped} not compared)` : ''}; live flows that no construct declares: ${unmanaged}`;
}

function renderText(r: LiveReport): string {
  const out: string[] = [];
  for (const f of r.flows) {
    out.push(`${title(f)}: ${f.state}${f.live ? ` — ${liveText(f)}` : ''}`);
    if (f.reason) out.push(`  ${f.reason}`);
    for (const d of f.differences) out.push(`  ~ ${d.text}`);
    for (const e of f.content?.entries ?? []) out.push(`      ${'    '.repeat(e.depth)}${sign(e.kind)} ${e.path ? `${e.path} ` : ''}${e.label}${e.detail ? `: ${e.detail}` : ''}`);
  }
  for (const u of r.unmanaged) {
    if (u.flows.length > 0) {
      out.push(`live flows of ${u.wabaId} that no construct declares:`);
      for (const s of u.flows) out.push(`  ${s.flowId} ${JSON.stringify(s.flowName)} (${s.status})`);
    }
    if (u.deprecated > 0) out.push(`  and ${u.deprecated} deprecated flow${u.deprecated === 1 ? '' : 's'} in ${u.wabaId}`);
  }
  if (out.length > 0) out.push('');
  out.push(totals(r));
  return out.join('\n') + '\n';
}

function renderMarkdown(r: LiveReport): string {
  const cell = (s: string) => s.replace(/[\\`*_{}[\]#|~]/g, (c) => `\\${c}`).replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = ['<!-- whatsapp-flow-cdk:drift -->', '## WhatsApp Flows: drift from what is live', '', `**${cell(totals(r))}**`, ''];
  if (r.flows.length > 0) {
    out.push('| Flow | Source | State | Live | Differences |', '|---|---|---|---|---|');
    for (const f of r.flows) {
      const icon = f.state === 'in sync' ? '✅' : f.state === 'skipped' ? '➖' : '⚠️';
      const diffs = [...(f.reason ? [f.reason] : []), ...f.differences.map((d) => d.text)].map(cell).join('<br>');
      out.push(`| ${cell(f.flowName)} | ${cell(f.sourceFile ?? `${f.stack}/${f.logicalId}`)} | ${icon} ${f.state} | ${f.live ? `${f.live.flowId} (${f.live.status})` : ''} | ${diffs} |`);
    }
    out.push('');
  }
  for (const f of r.flows.filter((x) => x.content && x.content.entries.length > 0)) {
    out.push(`<details><summary>${cell(f.flowName)}: content, live → declared</summary>`, '', '```diff');
    for (const e of f.content!.entries) out.push(`${'  '.repeat(e.depth)}${sign(e.kind)} ${e.path ? `${e.path} ` : ''}${e.label}${e.detail ? `: ${e.detail}` : ''}`.replace(/```/g, '`\u200b``'));
    out.push('```', '', '</details>', '');
  }
  for (const u of r.unmanaged.filter((x) => x.flows.length > 0)) {
    out.push(`**Live flows of ${cell(u.wabaId)} that no construct declares:** ${u.flows.map((s) => `${cell(s.flowName)} (${s.flowId}, ${s.status})`).join(', ')}`, '');
  }
  return out.join('\n');
}

function sign(kind: string): string {
  return kind === 'added' ? '+' : kind === 'removed' ? '-' : kind === 'changed' ? '~' : kind === 'moved' ? '>' : '*';
}
