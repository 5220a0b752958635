/**
 * `whatsapp-flow validate <files, globs or directories…> [--format text|json|github|sarif]
 * [--publish]`: checks Flow JSON files offline with the same validator the construct runs at synth.
 * `github` prints workflow commands that GitHub Actions shows as annotations on the pull request's
 * files; `sarif` writes SARIF 2.1.0 for code scanning.
 *
 * A directory written for WhatsAppFlowDirectory (or by `whatsapp-flow pull`) is checked through its
 * manifest, as synth checks it: the files the manifest lists, each with its entry's `publish`, the
 * entries with `skipValidation` skipped, and the manifest's own problems reported with their lines.
 *
 * Exit codes: 0 no errors (warnings allowed), 1 some file has errors, or bad usage, or an input that
 * cannot be read (missing or unreadable file, glob matching nothing); 3 internal.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { MAX_FLOW_JSON_BYTES } from '../../lib/shared/contract';
import { DEFAULT_MANIFEST_FILE, FlowManifest, checkFlowManifest } from '../../lib/private/flow-manifest';
import { JsonTextError } from '../../lib/validator/private/json-scanner';
import { renderPath } from '../../lib/validator/private/context';
import type { Log as SarifLog, ReportingDescriptor, Result as SarifResult } from 'sarif';
import { ExitCode } from '../command';
import type { Io } from '../io';

/** Files larger than this are not read: only their size is reported. */
const MAX_READ_BYTES = 4 * MAX_FLOW_JSON_BYTES;

/** The code of a problem of a directory's manifest (an error: synth refuses the directory). */
const INVALID_MANIFEST = 'INVALID_MANIFEST';

const HELP = `usage: whatsapp-flow validate <file, glob or directory>... [--format text|json|github|sarif] [--publish]

Checks WhatsApp Flow JSON files offline against Meta's Flow JSON rules and the
limits of AWS End User Messaging Social, and prints every finding.

arguments:
  <file or glob>  Flow JSON files, or globs such as "flows/**/*.json" (quote them
                  so that the shell does not expand them); node_modules and .git
                  are skipped by globs, and a directory manifest a glob matches
                  is skipped with a note
  <directory>     a directory of flows with a ${DEFAULT_MANIFEST_FILE} manifest
                  (WhatsAppFlowDirectory, whatsapp-flow pull): the manifest is
                  checked, then each file it lists, with its entry's publish flag;
                  entries with skipValidation are skipped. Name the manifest file
                  itself when it has another name

options:
  --publish       the flows are to be published: a version AWS cannot publish
                  and endpoint features are errors instead of warnings
  --format text   one line per finding, then a summary (default)
  --format json   one JSON document (also --json):
                  { files: [{ file, findings }], errors, warnings, skipped? }
  --format github GitHub Actions workflow commands, one per finding
                  (::error file=…,line=…,col=…::…): annotations on the files
                  of a pull request; then the summary
  --format sarif  a SARIF 2.1.0 log, for code scanning (upload-sarif)
  -h, --help      show this help

exit codes:
  0  no errors (warnings allowed)
  1  at least one file has errors; or bad usage, a missing or unreadable
     file, or a glob that matches nothing
  3  an internal error (a bug: please report it)
`;

interface FileResult {
  readonly file: string;
  readonly findings: FlowJsonFinding[];
}

interface Skipped {
  readonly file: string;
  readonly reason: string;
}

/** What a run has found so far. */
class Report {
  public readonly results: FileResult[] = [];
  public readonly skipped: Skipped[] = [];
  /** Inputs that could not be read: printed on stderr, exit 1. */
  public readonly problems: string[] = [];
  /** Absolute paths already checked or skipped, so that each file is reported once. */
  public readonly seen = new Set<string>();

  constructor(readonly cwd: string, readonly publish: boolean) {}

  /** The path to print for an absolute path. */
  public shown(full: string): string {
    const rel = path.relative(this.cwd, full);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : full;
  }
}

type Format = 'text' | 'json' | 'github' | 'sarif';
const FORMATS: readonly Format[] = ['text', 'json', 'github', 'sarif'];

export async function run(args: string[], io: Io): Promise<number> {
  let format: Format = 'text';
  let publish = false;
  const patterns: string[] = [];
  let onlyOperands = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyOperands || !arg.startsWith('-') || arg === '-') {
      patterns.push(arg);
    } else if (arg === '--') {
      onlyOperands = true;
    } else if (arg === '--json') {
      format = 'json';
    } else if (arg === '--format' || arg.startsWith('--format=')) {
      const v = arg === '--format' ? args[++i] : arg.slice('--format='.length);
      if (!FORMATS.includes(v as Format)) {
        io.stderr(`whatsapp-flow validate: --format must be ${FORMATS.join(', ')}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}\n\n${HELP}`);
        return ExitCode.ERRORS;
      }
      format = v as Format;
    } else if (arg === '--publish') {
      publish = true;
    } else if (arg === '--help' || arg === '-h') {
      io.stdout(HELP);
      return ExitCode.OK;
    } else {
      io.stderr(`whatsapp-flow validate: unknown option ${JSON.stringify(arg)}\n\n${HELP}`);
      return ExitCode.ERRORS;
    }
  }
  if (patterns.length === 0) {
    io.stderr(`whatsapp-flow validate: no files given\n\n${HELP}`);
    return ExitCode.ERRORS;
  }

  const report = new Report(io.cwd, publish);
  // Globs are expanded first (a glob that matches nothing is reported before any file is read).
  const targets: Array<{ glob: string[] } | { given: string }> = [];
  for (const pattern of patterns) targets.push(isDynamicPattern(pattern) ? { glob: await expandGlob(report, pattern) } : { given: pattern });
  for (const target of targets) {
    if ('glob' in target) await checkMatches(report, target.glob);
    else await checkPath(report, target.given);
  }

  let errors = 0;
  let warnings = 0;
  for (const r of report.results) {
    for (const f of r.findings) {
      if (f.severity === FindingSeverity.ERROR) errors++;
      else warnings++;
    }
  }
  // When nothing could be read there is no report: only the reasons, on stderr.
  const nothing = report.results.length === 0 && report.skipped.length === 0 && report.problems.length > 0;
  const skippedCount = report.skipped.length > 0 ? `, ${report.skipped.length} skipped` : '';
  const summary = `${count(report.results.length, 'file')} checked${skippedCount}: ${count(errors, 'error')}, ${count(warnings, 'warning')}`;
  if (!nothing && format === 'json') {
    const skipped = report.skipped.length > 0 ? { skipped: report.skipped } : {};
    io.stdout(JSON.stringify({ files: report.results, errors, warnings, ...skipped }, undefined, 2) + '\n');
  } else if (!nothing && format === 'sarif') {
    io.stdout(JSON.stringify(sarif(report), undefined, 2) + '\n');
  } else if (!nothing && format === 'github') {
    const lines = report.results.flatMap((r) => r.findings.map((f) => annotation(f, r.file)));
    const skips = report.skipped.map((s) => `::notice file=${property(s.file)},title=skipped::${data(s.reason)}`);
    io.stdout([...skips, ...lines, summary].join('\n') + '\n');
  } else if (!nothing) {
    const lines = report.results.flatMap((r) => r.findings.map((f) => FlowJsonValidator.formatFinding(f, r.file)));
    const skips = report.skipped.map((s) => `${s.file} skipped: ${s.reason}`);
    io.stdout([...skips, ...lines, summary].join('\n') + '\n');
  }
  for (const p of report.problems) io.stderr(`whatsapp-flow validate: ${p}\n`);
  if (report.problems.length > 0) return ExitCode.ERRORS;
  return errors > 0 ? ExitCode.ERRORS : ExitCode.OK;
}

/** The files a glob matches, sorted. */
async function expandGlob(report: Report, pattern: string): Promise<string[]> {
  const matches = await glob(pattern, { cwd: report.cwd, onlyFiles: true, expandDirectories: false, ignore: ['**/node_modules/**', '**/.git/**'] });
  if (matches.length === 0) report.problems.push(`no file matches ${JSON.stringify(pattern)}`);
  return matches.sort();
}

/** Checks the files a glob matched, each once; a directory manifest among them is skipped with a note. */
async function checkMatches(report: Report, matches: readonly string[]): Promise<void> {
  for (const match of matches) {
    const full = path.resolve(report.cwd, match);
    if (report.seen.has(full)) continue;
    const text = await readFlowFile(report, match, full);
    if (text === undefined) continue;
    if (isManifest(full, text)) {
      report.seen.add(full);
      const dir = report.shown(path.dirname(full)) || '.';
      report.skipped.push({
        file: match,
        reason: `the manifest of a WhatsAppFlowDirectory, not a Flow JSON document; pass the directory (${dir}) to check the flows it lists, each with its publish flag`,
      });
      continue;
    }
    checkText(report, match, full, text, report.publish);
  }
}

/** Checks a path given as is: a Flow JSON file, a directory with a manifest, or a manifest. */
async function checkPath(report: Report, given: string): Promise<void> {
  const full = path.resolve(report.cwd, given);
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(full)).isDirectory();
  } catch (e) {
    report.problems.push(`cannot read ${given}: ${describe(e)}`);
    return;
  }
  if (isDirectory) {
    const manifest = path.join(full, DEFAULT_MANIFEST_FILE);
    if (!(await exists(manifest))) {
      report.problems.push(`${given} is a directory without a ${DEFAULT_MANIFEST_FILE} manifest; pass files or a glob such as "${path.join(given, '**', '*.json')}"`);
      return;
    }
    await checkDirectory(report, full, manifest);
    return;
  }
  if (report.seen.has(full)) return;
  const text = await readFlowFile(report, given, full);
  if (text === undefined) return;
  if (isManifest(full, text)) await checkDirectory(report, path.dirname(full), full, text);
  else checkText(report, given, full, text, report.publish);
}

/**
 * A directory through its manifest, as synth reads it: the manifest's problems (errors with their
 * line), then each file it lists with its entry's `publish`, the entries with `skipValidation`
 * skipped with their reason.
 */
async function checkDirectory(report: Report, directory: string, manifestPath: string, text?: string): Promise<void> {
  if (report.seen.has(manifestPath)) return;
  report.seen.add(manifestPath);
  const shownManifest = report.shown(manifestPath);
  const raw = text ?? (await readFlowFile(report, shownManifest, manifestPath));
  if (raw === undefined) return;
  let manifest: FlowManifest;
  try {
    manifest = checkFlowManifest(directory, manifestPath, raw, { cwd: report.cwd });
  } catch (e) {
    if (!(e instanceof JsonTextError)) throw e;
    report.results.push({ file: shownManifest, findings: [manifestFinding(FindingSeverity.ERROR, INVALID_MANIFEST, '', e.message, 'fix the JSON syntax', e.line, e.column)] });
    return;
  }
  const findings = [
    ...manifest.problems.map((p) => manifestFinding(FindingSeverity.ERROR, INVALID_MANIFEST, renderPath(p.path), p.message, undefined, p.line, p.column)),
    ...manifest.warnings.map((w) => manifestFinding(FindingSeverity.WARNING, w.id, renderPath(w.path), w.message, undefined, w.line, w.column)),
  ].sort((a, b) => a.line! - b.line! || a.column! - b.column!);
  report.results.push({ file: shownManifest, findings });

  // A file two entries share is checked once, for publishing if either publishes it.
  const files = new Map<string, { publish: boolean; skip?: string; key: string }>();
  for (const use of manifest.files) {
    if (!use.readable) continue; // reported as a problem of the manifest
    const seen = files.get(use.file);
    files.set(use.file, {
      key: seen?.key ?? use.key,
      publish: (seen?.publish ?? false) || use.publish,
      skip: seen ? seen.skip && use.skipValidation : use.skipValidation,
    });
  }
  for (const [file, use] of files) {
    const full = path.join(directory, ...file.split('/'));
    if (report.seen.has(full)) continue;
    const shown = report.shown(full);
    if (use.skip !== undefined) {
      report.seen.add(full);
      report.skipped.push({ file: shown, reason: `${shownManifest} flows.${use.key} has skipValidation: ${JSON.stringify(use.skip)}` });
      continue;
    }
    const content = await readFlowFile(report, shown, full);
    if (content !== undefined) checkText(report, shown, full, content, report.publish || use.publish);
  }
}

/** A finding about the manifest, in the shape of the validator's. */
function manifestFinding(severity: FindingSeverity, code: string, findingPath: string, text: string, fix: string | undefined, line: number, column: number): FlowJsonFinding {
  // The manifest's messages give the fix after the first "; ".
  const cut = fix === undefined ? text.indexOf('; ') : -1;
  const message = cut > 0 ? text.slice(0, cut) : text;
  return { severity, code, path: findingPath, message, fix: fix ?? (cut > 0 ? text.slice(cut + 2) : 'correct the manifest'), line, column };
}

/** A directory manifest: named so, or an object of `flows` without Flow JSON's `version` and `screens`. */
function isManifest(full: string, text: string): boolean {
  if (path.basename(full) === DEFAULT_MANIFEST_FILE) return true;
  try {
    const doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && typeof doc.flows === 'object' && doc.flows !== null
      && !('screens' in doc) && !('version' in doc);
  } catch {
    return false;
  }
}

/** Validates one file's text and records its findings, in the order of the file. */
function checkText(report: Report, shown: string, full: string, text: string, publish: boolean): void {
  report.seen.add(full);
  // In the order of the file, so that the report reads top to bottom (the sort is stable).
  const findings = FlowJsonValidator.validateText(text, { publish })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  report.results.push({ file: shown, findings });
}

/**
 * Reads a file to check; undefined when it cannot be read (a problem is recorded) or is far above
 * the size limit (a finding is recorded instead).
 */
async function readFlowFile(report: Report, shown: string, full: string): Promise<string | undefined> {
  let size: number;
  try {
    const stat = await fs.stat(full);
    if (stat.isDirectory()) {
      report.problems.push(`${shown} is a directory; pass files or a glob such as "${path.join(shown, '**', '*.json')}"`);
      return undefined;
    }
    size = stat.size;
  } catch (e) {
    report.problems.push(`cannot read ${shown}: ${describe(e)}`);
    return undefined;
  }
  if (size > MAX_READ_BYTES) {
    report.seen.add(full);
    report.results.push({
      file: shown,
      findings: [{
        severity: FindingSeverity.ERROR,
        code: 'FLOW_JSON_TOO_LARGE',
        path: '',
        message: `the file is ${size} bytes, more than the ${MAX_FLOW_JSON_BYTES} bytes (10 MiB) AWS accepts; it was not read further`,
        fix: 'shrink it: move large base64 images out of the JSON or make them smaller',
      }],
    });
    return undefined;
  }
  try {
    return await fs.readFile(full, 'utf8');
  } catch (e) {
    report.problems.push(`cannot read ${shown}: ${describe(e)}`);
    return undefined;
  }
}

async function exists(full: string): Promise<boolean> {
  try {
    return (await fs.stat(full)).isFile();
  } catch {
    return false;
  }
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/**
 * A finding as a GitHub Actions workflow command: `::error file=…,line=…,col=…,title=CODE::text`,
 * which Actions shows as an annotation at that line of the pull request's diff.
 */
function annotation(f: FlowJsonFinding, file: string): string {
  const props = [`file=${property(toPosix(file))}`];
  if (f.line !== undefined) props.push(`line=${f.line}`);
  if (f.line !== undefined && f.column !== undefined) props.push(`col=${f.column}`);
  props.push(`title=${property(f.code)}`);
  const value = f.value !== undefined ? ` (${f.value})` : '';
  return `::${f.severity === FindingSeverity.ERROR ? 'error' : 'warning'} ${props.join(',')}::${data(`${f.path || '(document)'}: ${f.message}${value} — ${f.fix}`)}`;
}

/** A workflow command's message: `%`, CR and LF escaped, as the Actions toolkit does. */
function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: also `:` and `,` escaped. */
function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The report as a SARIF 2.1.0 log: one run, one rule per code found, one result per finding. */
function sarif(report: Report): SarifLog {
  const rules = new Map<string, ReportingDescriptor>();
  const results: SarifResult[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      if (!rules.has(f.code)) rules.set(f.code, { id: f.code, name: f.code, shortDescription: { text: `Flow JSON: ${f.code.toLowerCase().replace(/_/g, ' ')}` } });
      results.push({
        ruleId: f.code,
        ruleIndex: [...rules.keys()].indexOf(f.code),
        level: f.severity === FindingSeverity.ERROR ? 'error' : 'warning',
        message: { text: `${f.path || '(document)'}: ${f.message}${f.value !== undefined ? ` (${f.value})` : ''} — ${f.fix}` },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: encodeURI(toPosix(r.file)) },
            ...(f.line !== undefined ? { region: { startLine: f.line, ...(f.column !== undefined ? { startColumn: f.column } : {}) } } : {}),
          },
        }],
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'whatsapp-flow validate', rules: [...rules.values()] } },
      results,
    }],
  };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
