/**
 * `whatsapp-flow pull --waba <id or ARN> --out <directory> [--force] [--region <region>]`: writes
 * the flows of a WhatsApp Business Account as a directory that `WhatsAppFlowDirectory` reads: one
 * Flow JSON file per flow and the manifest, every entry with `adoptExisting: true` so that the
 * first deploy takes the flows over instead of failing on their names.
 *
 * Reads only (ListWhatsAppFlows, GetWhatsAppFlow, ListWhatsAppFlowAssets and the asset's download
 * link). Everything is written to a staging folder next to `--out` and moved in at the end, so a
 * failed pull leaves `--out` as it was.
 *
 * Exit codes: 0 written; 1 the service (or the download) failed, bad usage, or a directory that
 * cannot be written (nothing written); 3 an internal error.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { GetWhatsAppFlowCommand, SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { wabaIdProblem } from '../../lib/private/prop-rules';
import { FLOW_CATEGORIES } from '../../lib/shared/contract';
import { FindingSeverity, FlowJsonValidator } from '../../lib/validator';
import { downloadJson, listFlows, regionOfArn, serviceError, ServiceError, socialMessagingClient } from '../service-reader';
import { MAX_STEM, slug } from '../slug';
import { ExitCode } from '../command';
import type { Io } from '../io';

export { slug };

/**
 * The manifest's name: `WhatsAppFlowDirectory.DEFAULT_MANIFEST_FILE`, repeated here so that the
 * CLI does not load aws-cdk-lib (a test checks that the two agree).
 */
export const MANIFEST_FILE = 'whatsapp-flows.json';

/** Flows fetched at the same time (Get, ListAssets, download). */
const CONCURRENCY = 4;

const HELP = `usage: whatsapp-flow pull --waba <id or ARN> --out <directory> [--force] [--region <region>]

Writes the WhatsApp Flows of a WhatsApp Business Account as a directory that
WhatsAppFlowDirectory deploys: one Flow JSON file per flow, named after the
flow, and the manifest ${MANIFEST_FILE}. Every entry has "adoptExisting": true,
so the first deploy takes the existing flows over instead of failing on their
names; published flows get "publish": true. Deprecated flows are skipped.

options:
  --waba <id>       the linked WhatsApp Business Account: its AWS id (waba-…) or
                    ARN, as listed by
                    \`aws socialmessaging list-linked-whatsapp-business-accounts\`
  --out <dir>       the directory to write; it must be empty or not exist yet
  --force           write into a directory that is not empty (files of the same
                    name are replaced, other files are left alone)
  --region <name>   the AWS Region of the WABA (default: the Region of an ARN,
                    else AWS_REGION or the profile's)
  -h, --help        show this help

Credentials and the endpoint come from the AWS SDK's usual chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL_SOCIALMESSAGING).

exit codes:
  0  the directory was written
  1  the service or a download failed, bad usage, or a directory that cannot
     be written (nothing was written)
  3  an internal error (a bug: please report it)
`;

interface Options {
  readonly waba: string;
  readonly out: string;
  readonly force: boolean;
  readonly region?: string;
}

/** A failure with the exit code to answer and one line to print. */
class PullError extends Error {
  constructor(message: string, public readonly code: number) {
    super(message);
    this.name = 'PullError';
  }
}

/** One flow as pulled, before it gets a file name. */
interface PulledFlow {
  readonly flowId: string;
  readonly flowName: string;
  readonly status: string;
  readonly categories: string[];
  /** The Flow JSON text to write; absent when the flow has none. */
  readonly json?: string;
  readonly notes: string[];
  /** Reason to skip the synth-time check, when the validator finds errors in the pulled content. */
  readonly skipValidation?: string;
}

/** A manifest entry, as WhatsAppFlowDirectory reads it (lib/whatsapp-flow-directory.ts). */
interface ManifestEntry {
  file?: string;
  flowName: string;
  categories: string[];
  publish: boolean;
  adoptExisting: true;
  skipValidation?: string;
  comment: string;
}

export async function run(args: string[], io: Io): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(HELP);
    return ExitCode.OK;
  }
  if (typeof parsed === 'string') {
    io.stderr(`whatsapp-flow pull: ${parsed} (see whatsapp-flow pull --help)\n`);
    return ExitCode.ERRORS;
  }
  let client: SocialMessagingClient | undefined;
  let staging: string | undefined;
  try {
    const out = path.resolve(io.cwd, parsed.out);
    await checkOut(out, parsed.force);
    const region = parsed.region ?? regionOfArn(parsed.waba);
    client = socialMessagingClient(region);
    const { flows, deprecated } = await pullAll(client, parsed.waba);
    const files = assignFiles(flows);
    staging = await stage(out, parsed.waba, files);
    const leftOver = await moveIn(staging, out, files);
    staging = undefined;
    io.stdout(report(parsed, out, io.cwd, files, deprecated, leftOver));
    return ExitCode.OK;
  } catch (e) {
    const failure = asPullError(e);
    io.stderr(`whatsapp-flow pull: ${failure.message}\n`);
    return failure.code;
  } finally {
    if (staging) await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    client?.destroy();
  }
}

// ---------------------------------------------------------------------------- arguments

function parseArgs(args: string[]): Options | 'help' | string {
  const values: Record<string, string> = {};
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--force') {
      force = true;
      continue;
    }
    const m = /^--(waba|out|region)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      return arg.startsWith('-') ? `unknown option ${JSON.stringify(arg)}` : `unexpected argument ${JSON.stringify(arg)}; options take the form --waba <id> --out <dir>`;
    }
    const name = m[1];
    let value = m[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined || value.startsWith('--')) return `--${name} needs a value`;
    }
    if (name in values) return `--${name} is given twice`;
    if (value === '') return `--${name} must not be empty`;
    values[name] = value;
  }
  if (values.waba === undefined) return '--waba is required: the AWS id (waba-…) or ARN of the linked WhatsApp Business Account';
  if (values.out === undefined) return '--out is required: the directory to write the flows to';
  const waba = values.waba;
  const wabaProblem = wabaIdProblem('--waba', waba);
  if (wabaProblem) return wabaProblem;
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(values.region)) {
    return `--region must be an AWS Region such as us-east-1, got ${JSON.stringify(values.region)}`;
  }
  return { waba, out: values.out, force, region: values.region };
}

/** Refuses a file, or a non-empty directory without --force, before anything is asked of the service. */
async function checkOut(out: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new PullError(`--out ${out} is a file; give a directory`, ExitCode.ERRORS);
    throw new PullError(`cannot read --out ${out}: ${describe(e)}`, ExitCode.ERRORS);
  }
  if (entries.length > 0 && !force) {
    throw new PullError(
      `--out ${out} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); choose an empty or new directory, or pass --force to replace the files pull writes (others are left alone)`,
      ExitCode.ERRORS,
    );
  }
}

// ---------------------------------------------------------------------------- the service

async function pullAll(client: SocialMessagingClient, waba: string): Promise<{ flows: PulledFlow[]; deprecated: string[] }> {
  const summaries = await listFlows(client, waba);
  const deprecated = summaries.filter((s) => s.status === 'DEPRECATED').map((s) => s.flowName);
  const live = summaries.filter((s) => s.status !== 'DEPRECATED');
  const results: Array<PulledFlow | undefined> = new Array(live.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < live.length) {
      const i = next++;
      results[i] = await pullOne(client, waba, live[i].flowId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, live.length) }, worker));
  // A flow deprecated between the list and its Get is skipped too.
  const flows: PulledFlow[] = [];
  for (const r of results) {
    if (r === undefined) continue;
    if (r.status === 'DEPRECATED') deprecated.push(r.flowName);
    else flows.push(r);
  }
  return { flows, deprecated };
}

/** Get, ListAssets and download of one flow; undefined when it was deleted meanwhile. */
async function pullOne(client: SocialMessagingClient, waba: string, flowId: string): Promise<PulledFlow | undefined> {
  let flow;
  try {
    flow = await client.send(new GetWhatsAppFlowCommand({ id: waba, flowId }));
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw serviceError(`GetWhatsAppFlow of flow ${flowId}`, e);
  }
  const status = flow.flowStatus ?? '';
  const flowName = flow.flowName ?? '';
  const notes: string[] = [];
  const categories = [...new Set((flow.categories ?? []) as string[])];
  const unknown = categories.filter((c) => !(FLOW_CATEGORIES as readonly string[]).includes(c));
  if (categories.length === 0) notes.push('has no categories: add at least one to the manifest entry');
  if (unknown.length > 0) notes.push(`has categories this version does not know (${unknown.join(', ')}): the manifest will not load until they are replaced`);
  if (status === 'BLOCKED') notes.push('is BLOCKED by Meta: deploys leave it unchanged until Meta support unblocks it');
  if (status === 'THROTTLED') notes.push('is THROTTLED by Meta (sending is capped): it stays published');
  if (status !== '' && !['DRAFT', 'PUBLISHED', 'BLOCKED', 'THROTTLED'].includes(status)) notes.push(`has status ${status}, unknown to this version: written as a draft`);
  if (flow.endpointUri) {
    notes.push('uses a data endpoint, which AWS End User Messaging Social cannot configure: keep its content as it is, or manage the flow in WhatsApp Manager');
  }
  if (flowName !== flowName.trim() || [...flowName].length > 200 || flowName === '') {
    notes.push('has a name the construct refuses (empty, over 200 characters, or white space around it): rename the flow in the manifest');
  }

  const json = await downloadJson(client, waba, flowId);
  if (json === undefined) {
    notes.push('has no Flow JSON: its entry has no "file", so its content is not managed (add a file to manage it)');
    return { flowId, flowName, status, categories, notes };
  }
  const publish = isPublished(status);
  let text = json;
  let skipValidation: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.charCodeAt(0) === 0xfeff ? json.slice(1) : json);
  } catch {
    notes.push('has Flow JSON that is not valid JSON: written as downloaded; fix it before deploying');
  }
  if (parsed !== undefined) {
    // Minified JSON is made reviewable; the content hash (of the canonical form) is the same.
    if (!/\n/.test(json.trim())) text = JSON.stringify(parsed, undefined, 2) + '\n';
    const errors = FlowJsonValidator.validateText(text, { publish }).filter((f) => f.severity === FindingSeverity.ERROR);
    if (errors.length > 0) {
      const codes = [...new Set(errors.map((f) => f.code))].join(', ');
      skipValidation = `pulled as deployed; the validator finds ${errors.length} error${errors.length === 1 ? '' : 's'} (${codes})`;
      notes.push(`has content the validator rejects (${codes}): its entry skips validation so the first deploy adopts it as is; run \`npx whatsapp-flow validate\` on the file, fix it and remove skipValidation`);
    }
  }
  return { flowId, flowName, status, categories, json: text, notes, skipValidation };
}

// ---------------------------------------------------------------------------- files

/** A pulled flow with its manifest key, which is also its file name without `.json`. */
interface FlowFile extends PulledFlow {
  readonly key: string;
}

/** Safe, unique names: a slug of the flow name, in name order so that a re-pull gives the same names. */
function assignFiles(flows: PulledFlow[]): FlowFile[] {
  const taken = new Set<string>([MANIFEST_FILE.replace(/\.json$/, '')]);
  const sorted = [...flows].sort((a, b) => (a.flowName < b.flowName ? -1 : a.flowName > b.flowName ? 1 : a.flowId.localeCompare(b.flowId)));
  return sorted.map((f) => {
    const stem = slug(f.flowName) || `flow-${f.flowId}`.slice(0, MAX_STEM);
    let key = stem;
    for (let n = 2; taken.has(key); n++) key = `${stem}-${n}`;
    taken.add(key);
    return { ...f, key };
  });
}

function isPublished(status: string): boolean {
  // THROTTLED and BLOCKED flows are published flows Meta restricts.
  return status === 'PUBLISHED' || status === 'THROTTLED' || status === 'BLOCKED';
}

function manifestOf(waba: string, files: FlowFile[]): string {
  const flows: Record<string, ManifestEntry> = {};
  for (const f of [...files].sort((a, b) => a.key.localeCompare(b.key))) {
    flows[f.key] = {
      ...(f.json !== undefined ? { file: `${f.key}.json` } : {}),
      flowName: f.flowName,
      categories: f.categories,
      publish: isPublished(f.status),
      adoptExisting: true,
      ...(f.skipValidation ? { skipValidation: f.skipValidation } : {}),
      comment: `flow ${f.flowId}, ${f.status || 'no status'} when pulled${f.notes.length ? `; ${f.notes.join('; ')}` : ''}`,
    };
  }
  const manifest = {
    comment:
      `Pulled from ${waba} by \`whatsapp-flow pull\`. Each key is its flow's permanent identity: renaming a file or a flow keeps the flow, changing a key replaces it ` +
      '(adoptExisting then takes the flow over again). Removing an entry deletes a draft or deprecates a published flow that the stack created; ' +
      'a flow it took over (adoptExisting) is left in place, as the rollback of a failed first deploy must leave it. Once the first deploy has succeeded, ' +
      'remove "adoptExisting" from the entries (or set the directory\'s removalPolicy to DESTROY) so that removing an entry deletes or deprecates its flow.',
    flows,
  };
  return JSON.stringify(manifest, undefined, 2) + '\n';
}

/** Writes everything to a fresh folder next to `out`; returns it. */
async function stage(out: string, waba: string, files: FlowFile[]): Promise<string> {
  const parent = path.dirname(out);
  try {
    await fs.mkdir(parent, { recursive: true });
  } catch (e) {
    throw new PullError(`cannot create ${parent}: ${describe(e)}`, ExitCode.ERRORS);
  }
  const staging = path.join(parent, `.${path.basename(out)}.pull-${randomBytes(4).toString('hex')}`);
  try {
    await fs.mkdir(staging);
    for (const f of files) {
      if (f.json !== undefined) await fs.writeFile(path.join(staging, `${f.key}.json`), f.json, 'utf8');
    }
    await fs.writeFile(path.join(staging, MANIFEST_FILE), manifestOf(waba, files), 'utf8');
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new PullError(`cannot write next to ${out}: ${describe(e)}`, ExitCode.ERRORS);
  }
  return staging;
}

/** Moves the staged files into `out`; returns the JSON files of `out` that pull did not write. */
async function moveIn(staging: string, out: string, files: FlowFile[]): Promise<string[]> {
  try {
    let exists = true;
    try {
      await fs.access(out);
    } catch {
      exists = false;
    }
    if (!exists) {
      await fs.rename(staging, out);
      return [];
    }
    const written = new Set([MANIFEST_FILE, ...files.filter((f) => f.json !== undefined).map((f) => `${f.key}.json`)]);
    for (const name of written) await fs.rename(path.join(staging, name), path.join(out, name));
    await fs.rm(staging, { recursive: true, force: true });
    return (await fs.readdir(out)).filter((n) => n.toLowerCase().endsWith('.json') && !written.has(n)).sort();
  } catch (e) {
    throw new PullError(`cannot write ${out}: ${describe(e)}`, ExitCode.ERRORS);
  }
}

// ---------------------------------------------------------------------------- output

function report(options: Options, out: string, cwd: string, files: FlowFile[], deprecated: string[], leftOver: string[]): string {
  const shown = path.relative(cwd, out) || '.';
  const dir = shown.startsWith('..') ? out : shown;
  const lines: string[] = [];
  lines.push(`pulled ${count(files.length, 'flow')} of ${options.waba} into ${dir}/:`);
  const width = Math.max(0, ...files.map((f) => (f.json !== undefined ? `${f.key}.json` : `${f.key}`).length));
  for (const f of files) {
    const name = f.json !== undefined ? `${f.key}.json` : f.key;
    lines.push(`  ${name.padEnd(width)}  ${JSON.stringify(f.flowName)} (${f.status || 'no status'}, flow ${f.flowId})`);
    for (const n of f.notes) lines.push(`  ${''.padEnd(width)}    note: ${n}`);
  }
  lines.push(`  ${MANIFEST_FILE.padEnd(width)}  the manifest: every entry adopts its existing flow on the first deploy`);
  if (deprecated.length > 0) {
    lines.push(`skipped ${count(deprecated.length, 'deprecated flow')} (deprecated flows cannot change or come back): ${deprecated.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  if (leftOver.length > 0) {
    lines.push(`left in place, not written by pull: ${leftOver.join(', ')}; WhatsAppFlowDirectory refuses JSON files no entry uses: delete them, or list them under "ignore" in ${MANIFEST_FILE}`);
  }
  lines.push('', 'deploy them with:', `  new WhatsAppFlowDirectory(this, 'Flows', { wabaId: '${options.waba}', directory: '${dir}' });`, '');
  return lines.join('\n');
}

function asPullError(e: unknown): PullError {
  if (e instanceof PullError) return e;
  if (e instanceof ServiceError) return new PullError(e.message, ExitCode.ERRORS);
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new PullError(`internal error, please report it: ${message}`, ExitCode.INTERNAL);
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ECONNREFUSED') return 'connection refused';
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
