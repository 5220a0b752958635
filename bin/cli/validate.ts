/**
 * `whatsapp-flow validate <files or globs…> [--json] [--publish]`: checks Flow JSON files offline
 * with the same validator the construct runs at synth.
 *
 * Exit codes: 0 no errors (warnings allowed), 1 some file has errors, 2 bad usage or an input that
 * cannot be read (missing or unreadable file, glob matching nothing).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { MAX_FLOW_JSON_BYTES } from '../../lib/private/contract';
import { CliIo, ExitCode } from '../whatsapp-flow';

/** Files larger than this are not read: only their size is reported. */
const MAX_READ_BYTES = 4 * MAX_FLOW_JSON_BYTES;

const HELP = `usage: whatsapp-flow validate <file or glob>... [--json] [--publish]

Checks WhatsApp Flow JSON files offline against Meta's Flow JSON rules and the
limits of AWS End User Messaging Social, and prints every finding.

arguments:
  <file or glob>  Flow JSON files, or globs such as "flows/**/*.json" (quote them
                  so that the shell does not expand them); node_modules and .git
                  are skipped by globs

options:
  --publish       the flows are to be published: a version AWS cannot publish
                  and endpoint features are errors instead of warnings
  --json          print one JSON document: { files: [{ file, findings }], errors, warnings }
  -h, --help      show this help

exit codes:
  0  no errors (warnings allowed)
  1  at least one file has errors
  2  bad usage, a missing or unreadable file, or a glob that matches nothing
  3  an internal error (a bug: please report it)
`;

interface FileResult {
  readonly file: string;
  readonly findings: FlowJsonFinding[];
}

export async function run(args: string[], io: CliIo): Promise<number> {
  let json = false;
  let publish = false;
  const patterns: string[] = [];
  let onlyOperands = false;
  for (const arg of args) {
    if (onlyOperands || !arg.startsWith('-') || arg === '-') {
      patterns.push(arg);
    } else if (arg === '--') {
      onlyOperands = true;
    } else if (arg === '--json') {
      json = true;
    } else if (arg === '--publish') {
      publish = true;
    } else if (arg === '--help' || arg === '-h') {
      io.stdout(HELP);
      return ExitCode.OK;
    } else {
      io.stderr(`whatsapp-flow validate: unknown option ${JSON.stringify(arg)}\n\n${HELP}`);
      return ExitCode.USAGE;
    }
  }
  if (patterns.length === 0) {
    io.stderr(`whatsapp-flow validate: no files given\n\n${HELP}`);
    return ExitCode.USAGE;
  }

  const problems: string[] = [];
  const files = await expand(patterns, io.cwd, problems);
  const results: FileResult[] = [];
  for (const file of files) {
    const result = await validateFile(file, io.cwd, publish, problems);
    if (result) results.push(result);
  }

  let errors = 0;
  let warnings = 0;
  for (const r of results) {
    for (const f of r.findings) {
      if (f.severity === FindingSeverity.ERROR) errors++;
      else warnings++;
    }
  }
  if (json) {
    io.stdout(JSON.stringify({ files: results, errors, warnings }, undefined, 2) + '\n');
  } else {
    const lines = results.flatMap((r) => r.findings.map((f) => FlowJsonValidator.formatFinding(f, r.file)));
    const summary = `${count(results.length, 'file')} checked: ${count(errors, 'error')}, ${count(warnings, 'warning')}`;
    io.stdout([...lines, summary].join('\n') + '\n');
  }
  for (const p of problems) io.stderr(`whatsapp-flow validate: ${p}\n`);
  if (problems.length > 0) return ExitCode.USAGE;
  return errors > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

/** Expands globs (sorted, each file once); a plain path is taken as given. */
async function expand(patterns: string[], cwd: string, problems: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (file: string) => {
    const key = path.resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(file);
  };
  for (const pattern of patterns) {
    if (!isDynamicPattern(pattern)) {
      add(pattern);
      continue;
    }
    const matches = await glob(pattern, { cwd, onlyFiles: true, expandDirectories: false, ignore: ['**/node_modules/**', '**/.git/**'] });
    if (matches.length === 0) {
      problems.push(`no file matches ${JSON.stringify(pattern)}`);
      continue;
    }
    matches.sort().forEach(add);
  }
  return out;
}

async function validateFile(file: string, cwd: string, publish: boolean, problems: string[]): Promise<FileResult | undefined> {
  const full = path.resolve(cwd, file);
  let size: number;
  try {
    const stat = await fs.stat(full);
    if (stat.isDirectory()) {
      problems.push(`${file} is a directory; pass files or a glob such as "${path.join(file, '**', '*.json')}"`);
      return undefined;
    }
    size = stat.size;
  } catch (e) {
    problems.push(`cannot read ${file}: ${describe(e)}`);
    return undefined;
  }
  if (size > MAX_READ_BYTES) {
    return {
      file,
      findings: [{
        severity: FindingSeverity.ERROR,
        code: 'FLOW_JSON_TOO_LARGE',
        path: '',
        message: `the file is ${size} bytes, more than the ${MAX_FLOW_JSON_BYTES} bytes (10 MiB) AWS accepts; it was not read further`,
        fix: 'shrink it: move large base64 images out of the JSON or make them smaller',
      }],
    };
  }
  let text: string;
  try {
    text = await fs.readFile(full, 'utf8');
  } catch (e) {
    problems.push(`cannot read ${file}: ${describe(e)}`);
    return undefined;
  }
  // In the order of the file, so that the report reads top to bottom (the sort is stable).
  const findings = FlowJsonValidator.validateText(text, { publish })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { file, findings };
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
