/**
 * `whatsapp-flow diff <old cdk.out> <new cdk.out> [--format text|markdown|json]`: what a deploy
 * of the new cloud assembly would do to each flow, compared with the old one, for reviewing a
 * pull request. Reads only the synthesized files: no AWS call, no aws-cdk-lib.
 *
 * Exit codes, as `terraform plan -detailed-exitcode`: 0 nothing changes, 2 something changes, 1
 * errors (a changed flow's new version has validator errors, bad usage, an input that cannot be
 * read), so that CI can fail on errors alone.
 */
import { AssemblyFlows, InputError, readAssembly } from './diff/assembly';
import { buildReport } from './diff/report';
import { renderJson, renderMarkdown, renderText } from './diff/render';
import { CliIo, ExitCode } from '../whatsapp-flow';

const HELP = `usage: whatsapp-flow diff <old assembly> <new assembly> [--format text|markdown|json]

Shows what deploying the new cloud assembly would do to each WhatsApp Flow,
compared with the old one: create, update (rename, categories, publish,
content), replace, delete, deprecate or retain. For a content change it lists
the screens and components added, removed and changed, and the validator's
findings on the new version. Nothing is deployed; no AWS call is made.

arguments:
  <old assembly>  the cdk.out folder synthesized from the base branch
  <new assembly>  the cdk.out folder synthesized from the change

options:
  --format text      plain text (default)
  --format markdown  a pull-request comment: a table of flows and actions, then
                     a section per changed flow
  --format json      one JSON document: { changed, errors, warnings, flows }
  --allow-missing-old
                     an old assembly folder that does not exist means "no flows
                     yet": every flow is new (for the first pull request)
  -h, --help         show this help

Flows are paired by stack name and logical id. Whether a flow is published is
taken from its old "publish" property; the handler reads the real status.

exit codes (as terraform plan -detailed-exitcode):
  0  no flow changes
  1  errors: a changed flow's new version has validator errors, bad usage, or
     an assembly, template or content asset that cannot be read
  2  some flow changes, and no errors
  3  an internal error (a bug: please report it)
`;

type Format = 'text' | 'markdown' | 'json';
const FORMATS: readonly Format[] = ['text', 'markdown', 'json'];

export async function run(args: string[], io: CliIo): Promise<number> {
  let format: Format = 'text';
  let allowMissingOld = false;
  const dirs: string[] = [];
  let onlyOperands = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyOperands || !arg.startsWith('-') || arg === '-') {
      dirs.push(arg);
    } else if (arg === '--') {
      onlyOperands = true;
    } else if (arg === '--format' || arg.startsWith('--format=')) {
      const v = arg === '--format' ? args[++i] : arg.slice('--format='.length);
      if (!FORMATS.includes(v as Format)) {
        return usageError(io, `--format must be ${FORMATS.join(', ')}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
      }
      format = v as Format;
    } else if (arg === '--markdown' || arg === '--json') {
      format = arg.slice(2) as Format;
    } else if (arg === '--allow-missing-old') {
      allowMissingOld = true;
    } else if (arg === '--help' || arg === '-h') {
      io.stdout(HELP);
      return ExitCode.OK;
    } else {
      return usageError(io, `unknown option ${JSON.stringify(arg)}`);
    }
  }
  if (dirs.length !== 2) {
    return usageError(io, `expected two cloud assembly folders (old and new), got ${dirs.length}`);
  }

  let report;
  try {
    const [oldDir, newDir] = dirs;
    const neu = await readAssembly(newDir, io.cwd);
    let old: AssemblyFlows | undefined;
    try {
      old = await readAssembly(oldDir, io.cwd);
    } catch (e) {
      if (!(allowMissingOld && e instanceof InputError && e.problem.startsWith('no such directory'))) throw e;
    }
    report = await buildReport(old, neu);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`whatsapp-flow diff: ${e.message}\n`);
      return ExitCode.ERRORS;
    }
    throw e;
  }

  io.stdout(format === 'markdown' ? renderMarkdown(report) : format === 'json' ? renderJson(report) : renderText(report));
  return report.errors > 0 ? ExitCode.ERRORS : report.changed > 0 ? ExitCode.CHANGES : ExitCode.OK;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`whatsapp-flow diff: ${message}\n\n${HELP}`);
  return ExitCode.ERRORS;
}
