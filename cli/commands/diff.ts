/**
 * `whatsapp-flow diff <old cdk.out> <new cdk.out> [--format text|markdown|json|html]`: what a
 * deploy of the new cloud assembly would do to each flow, compared with the old one, for reviewing
 * a pull request. Reads only the synthesized files: no AWS call, no aws-cdk-lib. `--live` compares
 * one assembly with the live flows instead (cli/diff/live.ts).
 *
 * Exit codes, as `terraform plan -detailed-exitcode`: 0 nothing changes, 2 something changes, 1
 * errors (a changed flow's new version has validator errors, bad usage, an input that cannot be
 * read), so that CI can fail on errors alone.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeReport } from '../output';
import { AssemblyFlows, InputError, readAssembly } from '../diff/assembly-flows';
import { renderHtml } from '../diff/html';
import { buildReport, DiffReport, FlowReport } from '../diff/report';
import { renderJson, renderMarkdown, renderText, ScreenImages } from '../diff/formats';
import { Chromium, elementPngs, findChromium, noChromiumMessage } from '../render/chromium';
import { slug } from '../slug';
import { CliCommand, ExitCode } from '../command';
import type { Io } from '../io';

const HELP = `usage: whatsapp-flow diff <old assembly> <new assembly> [--format text|markdown|json|html] [--out <file>]
       whatsapp-flow diff --live <assembly> [--format text|markdown|json] [--state-dir <dir>]

Shows what deploying the new cloud assembly would do to each WhatsApp Flow,
compared with the old one: create, update (rename, categories, publish,
content), replace, delete, deprecate or retain. For a content change it lists
the screens and components added, removed and changed, and the validator's
findings on the new version. Nothing is deployed; no AWS call is made.

With --live, compares the assembly with the flows live in each WABA instead:
drift from edits, publishing and deletions outside CloudFormation (see
"whatsapp-flow diff --live --help").

arguments:
  <old assembly>  the cdk.out folder synthesized from the base branch
  <new assembly>  the cdk.out folder synthesized from the change

options:
  --format text      plain text (default)
  --format markdown  a pull-request comment: a table of flows and actions, then
                     a section per changed flow; its first line is the hidden
                     marker ${'<!-- whatsapp-flow-cdk:diff -->'} a CI job finds its comment by
  --format json      one JSON document: { changed, errors, warnings, flows }
  --format html      one self-contained page: each changed screen drawn before
                     and after, side by side, the changes marked, and the map
  --out <file>       write the report to this file instead of stdout
  --report-url <url> (markdown) link to the HTML report, e.g. a CI artifact
  --images <dir>     (markdown) write a PNG of each changed screen before and
                     after into <dir> and embed them (needs an installed
                     Chromium; none is downloaded)
  --images-url <url> (markdown) the URL <dir> is served at, for the embedded
                     pictures (default: <dir> as given)
  --allow-missing-old
                     an old assembly folder that does not exist means "no flows
                     yet": every flow is new (for the first pull request)
  -h, --help         show this help

Flows are paired by stack name and logical id, and named by their Flow JSON
file when the assembly records it. Whether a flow is published is taken from
its old "publish" property; the handler reads the real status.

exit codes (as terraform plan -detailed-exitcode):
  0  no flow changes
  1  errors: a changed flow's new version has validator errors, bad usage, or
     an assembly, template or content asset that cannot be read
  2  some flow changes, and no errors
  3  an internal error (a bug: please report it)
`;

type Format = 'text' | 'markdown' | 'json' | 'html';
const FORMATS: readonly Format[] = ['text', 'markdown', 'json', 'html'];

interface Options {
  readonly format: Format;
  readonly dirs: string[];
  readonly allowMissingOld: boolean;
  readonly out?: string;
  readonly reportUrl?: string;
  readonly images?: string;
  readonly imagesUrl?: string;
}

export async function run(args: string[], io: Io): Promise<number> {
  if (args.includes('--live')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for: --live alone brings the AWS SDK
    const live = require('../diff/live') as CliCommand;
    return live.run(args.filter((a) => a !== '--live'), io);
  }
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(HELP);
    return ExitCode.OK;
  }
  if (typeof parsed === 'string') return usageError(io, parsed);

  let report: DiffReport;
  try {
    const [oldDir, newDir] = parsed.dirs;
    const neu = await readAssembly(newDir, io.cwd);
    let old: AssemblyFlows | undefined;
    try {
      old = await readAssembly(oldDir, io.cwd);
    } catch (e) {
      if (!(parsed.allowMissingOld && e instanceof InputError && e.problem.startsWith('no such directory'))) throw e;
    }
    report = await buildReport(old, neu, { keepTexts: parsed.format === 'html' || parsed.images !== undefined });
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`whatsapp-flow diff: ${e.message}\n`);
      return ExitCode.ERRORS;
    }
    throw e;
  }

  let images: Map<FlowReport, ScreenImages[]> | undefined;
  if (parsed.images !== undefined) {
    const chromium = findChromium();
    if (!chromium) {
      io.stderr(`whatsapp-flow diff: --images: ${noChromiumMessage()}\n`);
      return ExitCode.ERRORS;
    }
    images = await screenImages(report, chromium, path.resolve(io.cwd, parsed.images), parsed.imagesUrl ?? toUrlPath(parsed.images));
  }

  const text = parsed.format === 'markdown' ? renderMarkdown(report, { reportUrl: parsed.reportUrl, images })
    : parsed.format === 'json' ? renderJson(report)
      : parsed.format === 'html' ? renderHtml(report).html
        : renderText(report);
  if (!(await writeReport(io, parsed.out, text, 'whatsapp-flow diff'))) return ExitCode.ERRORS;
  return report.errors > 0 ? ExitCode.ERRORS : report.changed > 0 ? ExitCode.CHANGES : ExitCode.OK;
}

function parseArgs(args: string[]): Options | 'help' | string {
  let format: Format = 'text';
  let allowMissingOld = false;
  const dirs: string[] = [];
  const values: Record<string, string> = {};
  let onlyOperands = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyOperands || !arg.startsWith('-') || arg === '-') {
      dirs.push(arg);
    } else if (arg === '--') {
      onlyOperands = true;
    } else if (arg === '--format' || arg.startsWith('--format=')) {
      const v = arg === '--format' ? args[++i] : arg.slice('--format='.length);
      if (!FORMATS.includes(v as Format)) return `--format must be ${FORMATS.join(', ')}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`;
      format = v as Format;
    } else if (arg === '--markdown' || arg === '--json' || arg === '--html') {
      format = arg.slice(2) as Format;
    } else if (arg === '--allow-missing-old') {
      allowMissingOld = true;
    } else if (arg === '--help' || arg === '-h') {
      return 'help';
    } else {
      const m = /^--(out|report-url|images|images-url)(?:=(.*))?$/s.exec(arg);
      if (!m) return `unknown option ${JSON.stringify(arg)}`;
      const v = m[2] ?? args[++i];
      if (v === undefined || v === '') return `--${m[1]} needs a value`;
      values[m[1]] = v;
    }
  }
  if (dirs.length !== 2) return `expected two cloud assembly folders (old and new), got ${dirs.length}`;
  if (format !== 'markdown') {
    for (const k of ['report-url', 'images', 'images-url']) if (values[k] !== undefined) return `--${k} is for --format markdown`;
  }
  if (values['images-url'] !== undefined && values.images === undefined) return '--images-url needs --images <dir>';
  return { format, dirs, allowMissingOld, out: values.out, reportUrl: values['report-url'], images: values.images, imagesUrl: values['images-url'] };
}

/**
 * Pictures of each changed screen, before and after: the HTML report drawn in a headless
 * Chromium, each screen's element saved as <flow>.<SCREEN>.before.png and .after.png in `dir`.
 */
async function screenImages(report: DiffReport, chromium: string, dir: string, urlBase: string): Promise<Map<FlowReport, ScreenImages[]>> {
  const drawn = renderHtml(report);
  await fs.mkdir(dir, { recursive: true });
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'whatsapp-flow-diff-'));
  const out = new Map<FlowReport, ScreenImages[]>();
  const browser = await Chromium.launch(chromium);
  try {
    const file = path.join(scratch, 'report.html');
    await fs.writeFile(file, drawn.html, 'utf8');
    const shots = new Map((await elementPngs(await browser.newPage(), file, 'section.screen')).map((s) => [s.id, s.png] as const));
    const taken = new Set<string>();
    for (const [flow, pairs] of drawn.pairs) {
      let stem = slug(flow.flowName) || 'flow';
      for (let k = 2; taken.has(stem); k++) stem = `${slug(flow.flowName) || 'flow'}-${k}`;
      taken.add(stem);
      const list: ScreenImages[] = [];
      for (const p of pairs) {
        const save = async (id: string | undefined, side: string) => {
          const png = id !== undefined ? shots.get(id) : undefined;
          if (!png) return undefined;
          const name = `${stem}.${p.screen.replace(/[^A-Za-z0-9_-]+/g, '_')}.${side}.png`;
          await fs.writeFile(path.join(dir, name), png);
          return `${urlBase.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
        };
        list.push({ screen: p.screen, before: await save(p.before, 'before'), after: await save(p.after, 'after') });
      }
      out.set(flow, list);
    }
  } finally {
    await browser.close();
    await fs.rm(scratch, { recursive: true, force: true });
  }
  return out;
}

/** A folder as given on the command line, as a relative URL path. */
function toUrlPath(dir: string): string {
  return dir.split(path.sep).join('/');
}

function usageError(io: Io, message: string): number {
  io.stderr(`whatsapp-flow diff: ${message}\n\n${HELP}`);
  return ExitCode.ERRORS;
}
