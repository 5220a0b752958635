/**
 * The manifest of a directory of flows (`whatsapp-flows.json`, see WhatsAppFlowDirectory): its
 * format and its checks, without aws-cdk-lib, so that the construct at synth and the
 * `whatsapp-flow validate` command read a manifest the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FLOW_CATEGORIES } from '../shared/contract';
import { displayPath, renderValue } from './messages';
import { categoryCountProblem, flowNameProblem, repeatedCategoryProblem } from './prop-rules';
import { renderPath, Seg } from '../validator/private/context';
import { editDistance } from '../validator/private/names';
import { lineColumns, locatePaths, parseJsonText, repeatedKeys } from '../validator/private/json-scanner';

/** The manifest's file name when none is given. */
export const DEFAULT_MANIFEST_FILE = 'whatsapp-flows.json';

/** Fields of a manifest entry, in the order they are documented. */
const ENTRY_FIELDS = ['file', 'flowName', 'categories', 'publish', 'preview', 'adoptExisting', 'skipValidation', 'comment'] as const;
/** Top-level fields of the manifest. */
const TOP_FIELDS = ['flows', 'ignore', 'comment'] as const;
/** What a user may have meant by a field name that is not one. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  name: 'flowName',
  flow_name: 'flowName',
  category: 'categories',
  flowJson: 'file',
  path: 'file',
  published: 'publish',
  adopt: 'adoptExisting',
  adopt_existing: 'adoptExisting',
  removalPolicy: 'the removalPolicy prop of WhatsAppFlowDirectory, which applies to every flow',
  validation: 'skipValidation (a reason string)',
};
/** A key: the construct id of the flow, so also part of its logical id. */
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Directories never scanned for unlisted files. */
const SKIPPED_DIRS = new Set(['node_modules', 'cdk.out']);

/** An entry of the manifest that has no problem. */
export interface ManifestEntry {
  readonly key: string;
  readonly flowName: string;
  readonly categories: string[];
  /** The Flow JSON file, relative to the directory with `/` between folders, when the entry has one. */
  readonly file?: string;
  readonly publish: boolean;
  readonly preview: boolean;
  readonly adoptExisting: boolean;
  readonly skipValidation?: string;
}

/** What the manifest says of an entry's file, problems or not: what the command-line tool checks. */
export interface ManifestFile {
  readonly key: string;
  /** Relative to the directory, with `/` between folders. */
  readonly file: string;
  /** The file exists and is a file (with the case the manifest writes). */
  readonly readable: boolean;
  /** `publish` is `true`. */
  readonly publish: boolean;
  /** The reason given to skip the content check, when there is a valid one. */
  readonly skipValidation?: string;
}

/** A problem of the manifest, located in its text. */
export interface ManifestProblem {
  readonly path: Seg[];
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Something legal but doubtful, with an id a user can acknowledge, located in the manifest's text. */
export interface ManifestWarning {
  readonly id: string;
  readonly path: Seg[];
  /** What is doubtful and what to do, starting with the JSON path (without the manifest's name). */
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** The manifest as read and checked. */
export interface FlowManifest {
  /** The entries without problems, in the order of the manifest (all of them when there is no problem). */
  readonly entries: ManifestEntry[];
  /** Every entry's file, in the order of the manifest. */
  readonly files: ManifestFile[];
  /** Every problem, in the order of the file. */
  readonly problems: ManifestProblem[];
  readonly warnings: ManifestWarning[];
}

export interface ManifestOptions {
  /**
   * Checks an entry's file once it is known to exist; returns a problem (reported at the entry's
   * `file`) or undefined. The construct reads the file as a FlowJson here.
   *
   * @default - the file is not read
   */
  readonly checkFile?: (key: string, displayed: string) => string | undefined;
  /**
   * The directory that paths in messages are relative to.
   *
   * @default process.cwd()
   */
  readonly cwd?: string;
}

interface Problem {
  readonly path: Seg[];
  readonly message: string;
  /** Offset in the manifest when known (otherwise found from the path). */
  readonly offset?: number;
}

/**
 * Checks the text of a directory's manifest: every problem at once, with its line and column, the
 * entries that have none, and what each entry says of its file. Throws `JsonTextError` when the
 * text is not JSON.
 *
 * @param directory the directory, absolute
 * @param manifestPath the manifest, absolute
 * @param raw the manifest's text
 */
export function checkFlowManifest(directory: string, manifestPath: string, raw: string, options: ManifestOptions = {}): FlowManifest {
  const display = (p: string) => displayPath(p, options.cwd);
  const { text, value: doc } = parseJsonText(raw);

  const problems: Problem[] = [];
  const warnings: Array<{ id: string; path: Seg[]; message: string }> = [];
  for (const dup of repeatedKeys(text)) {
    problems.push({ path: dup.path, offset: dup.offset, message: `key ${renderValue(dup.path[dup.path.length - 1])} appears twice in the same object (JSON keeps only the last one); remove or rename one of them` });
  }

  const entries: ManifestEntry[] = [];
  const files: ManifestFile[] = [];
  const usedFiles = new Map<string, string>(); // relative file -> first key using it
  let ignore: string[] = [];

  if (!isObject(doc)) {
    problems.push({ path: [], message: `the manifest must be a JSON object, got ${jsonType(doc)}; write { "flows": { … } }` });
  } else {
    for (const k of Object.keys(doc)) {
      if (!(TOP_FIELDS as readonly string[]).includes(k)) {
        problems.push({ path: [k], message: `unknown key ${renderValue(k)}; the manifest's keys are ${TOP_FIELDS.join(', ')}${hint(k, TOP_FIELDS)}` });
      }
    }
    if (doc.comment !== undefined && typeof doc.comment !== 'string') {
      problems.push({ path: ['comment'], message: `comment must be a string, got ${renderValue(doc.comment)}` });
    }
    if (doc.ignore !== undefined) {
      if (!Array.isArray(doc.ignore)) {
        problems.push({ path: ['ignore'], message: `ignore must be a list of file paths, got ${renderValue(doc.ignore)}; for example "ignore": ["drafts/"]` });
      } else {
        doc.ignore.forEach((v: unknown, i: number) => {
          const bad = typeof v === 'string' ? relativePathProblem(v) : 'must be a string';
          if (bad) problems.push({ path: ['ignore', i], message: `${bad}, got ${renderValue(v)}; give a path relative to the directory, with a final / for a folder` });
          else ignore.push(v as string);
        });
      }
    }
    ignore = ignore.map(normalizeRelative);

    const flows = doc.flows;
    if (flows === undefined) {
      problems.push({ path: [], message: 'the manifest has no "flows"; add "flows": { "<key>": { "file": "<file>.json", "flowName": "<name>", "categories": ["OTHER"] } }' });
    } else if (!isObject(flows)) {
      problems.push({ path: ['flows'], message: `flows must be an object keyed by each flow's permanent key, got ${jsonType(flows)}; write "flows": { "signup": { … } }` });
    } else {
      const names = new Map<string, string>(); // flowName -> key
      const folded = new Map<string, string>(); // lower-cased flowName -> key
      for (const [key, value] of Object.entries(flows)) {
        const read = readEntry(directory, key, value, problems, display, options.checkFile);
        if (read.entry) entries.push(read.entry);
        if (read.use) files.push(read.use);
        if (read.file !== undefined) {
          const first = usedFiles.get(read.file);
          if (first !== undefined) {
            warnings.push({
              id: 'DirectorySharedFile',
              path: ['flows', key, 'file'],
              message: `flows.${key}.file and flows.${first}.file are both ${renderValue(read.file)}: two flows with the same content; if that is not meant, point ${key} at its own file`,
            });
          } else {
            usedFiles.set(read.file, key);
          }
        }
        const name = read.flowName;
        if (name !== undefined) {
          const taken = names.get(name);
          if (taken !== undefined) {
            problems.push({ path: ['flows', key, 'flowName'], message: `flowName ${renderValue(name)} is already the name of flows.${taken}; flow names are unique in a WABA: rename one of them` });
          } else {
            names.set(name, key);
            const other = folded.get(name.toLowerCase());
            if (other !== undefined) {
              warnings.push({
                id: 'DirectoryNameCase',
                path: ['flows', key, 'flowName'],
                message: `flows.${key}.flowName ${renderValue(name)} differs from flows.${other}.flowName only in case; the service may count them as the same name: make them differ by more than case`,
              });
            } else {
              folded.set(name.toLowerCase(), key);
            }
          }
        }
      }
    }
  }

  // Every JSON file of the directory belongs to an entry, or is ignored.
  const manifestRelative = normalizeRelative(path.relative(directory, manifestPath));
  for (const file of jsonFiles(directory)) {
    if (file === manifestRelative || usedFiles.has(file)) continue;
    if (ignore.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p))) continue;
    problems.push({
      path: ['flows'],
      message: `${renderValue(file)} is a JSON file of the directory that no entry uses: a file without an entry deploys nothing (and a removed entry deprecates its flow); add an entry with "file": ${renderValue(file)}, delete the file, or list it under "ignore"`,
    });
  }

  const unlocated = problems.filter((p) => p.offset === undefined);
  const located = locatePaths(text, [...unlocated.map((p) => p.path), ...warnings.map((w) => w.path)]);
  const offsets = new Map(unlocated.map((p, i) => [p, located[i]]));
  const positions = lineColumns(text, [...problems.map((p) => p.offset ?? offsets.get(p)!), ...located.slice(unlocated.length)]);
  // In the order of the file, so that the list reads top to bottom (the sort is stable).
  const inOrder = problems
    .map((p, i) => ({ path: p.path, message: p.message, line: positions[i].line, column: positions[i].column }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  const warned = warnings.map((w, i) => ({ ...w, ...positions[problems.length + i] }));
  return { entries: inOrder.length > 0 ? [] : entries, files, problems: inOrder, warnings: warned };
}


/** The problems as one message: `file:line:column path: message`, one per line after a count when there are several. */
export function formatManifestProblems(manifestPath: string, problems: readonly ManifestProblem[], cwd?: string): string {
  const where = displayPath(manifestPath, cwd);
  const lines = problems.map((p) => `${where}:${p.line}:${p.column} ${p.path.length ? renderPath(p.path) : '(manifest)'}: ${p.message}`);
  return lines.length === 1 ? lines[0] : `the manifest has ${lines.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** What is known of one entry: the entry when it is usable, its file and name when they are valid. */
interface ReadEntry {
  readonly entry?: ManifestEntry;
  readonly use?: ManifestFile;
  /** The normalized relative path of its file. */
  readonly file?: string;
  readonly flowName?: string;
}

/** Checks one entry, adding its problems. */
function readEntry(directory: string, key: string, value: unknown, problems: Problem[], display: (p: string) => string,
  checkFile: ManifestOptions['checkFile']): ReadEntry {
  const at = (...segs: Seg[]): Seg[] => ['flows', key, ...segs];
  const before = problems.length;
  if (!KEY_PATTERN.test(key)) {
    problems.push({
      path: ['flows', key],
      message: `key ${renderValue(key)} must be 1-64 letters, digits, - or _, starting with a letter or digit; it becomes the flow's construct id and logical id, ` +
        'so choose it once (for example "signup") and keep it: changing a key replaces the flow',
    });
  }
  if (!isObject(value)) {
    problems.push({ path: at(), message: `an entry must be an object, got ${renderValue(value)}; write { "file": "${key}.json", "flowName": "…", "categories": ["OTHER"] }` });
    return {};
  }
  for (const k of Object.keys(value)) {
    if (!(ENTRY_FIELDS as readonly string[]).includes(k)) {
      problems.push({ path: at(k), message: `unknown key ${renderValue(k)}; an entry's keys are ${ENTRY_FIELDS.join(', ')}${hint(k, ENTRY_FIELDS)}` });
    }
  }

  // flowName
  const name = value.flowName;
  let validName: string | undefined;
  if (name === undefined) {
    if (!('name' in value)) problems.push({ path: at(), message: 'flowName is missing; add "flowName": "<the flow\'s name in WhatsApp Manager>" (1-200 characters, unique in the WABA)' });
  } else if (typeof name !== 'string') {
    problems.push({ path: at('flowName'), message: `flowName must be a string, got ${renderValue(name)}; quote it` });
  } else {
    const problem = flowNameProblem(name);
    if (problem) problems.push({ path: at('flowName'), message: problem });
    else validName = name;
  }

  // categories
  const categories = value.categories;
  const known = FLOW_CATEGORIES as readonly string[];
  if (categories === undefined) {
    problems.push({ path: at(), message: `categories is missing; add "categories": ["OTHER"] (1 to 9 of ${known.join(', ')})` });
  } else if (categoryCountProblem(categories, '["SIGN_UP"]')) {
    problems.push({ path: at('categories'), message: categoryCountProblem(categories, '["SIGN_UP"]')! });
  } else {
    const seen = new Set<string>();
    categories.forEach((c: unknown, i: number) => {
      if (typeof c !== 'string' || !known.includes(c)) {
        const guess = typeof c === 'string' ? known.find((k) => k === c.trim().toUpperCase().replace(/[\s-]+/g, '_')) : undefined;
        problems.push({
          path: at('categories', i),
          message: `${renderValue(c)} is not a flow category; ${guess ? `write ${renderValue(guess)}` : `use one of ${known.join(', ')}`}`,
        });
      } else if (seen.has(c)) {
        problems.push({ path: at('categories', i), message: repeatedCategoryProblem(c) });
      } else {
        seen.add(c);
      }
    });
  }

  // booleans
  for (const field of ['publish', 'preview', 'adoptExisting'] as const) {
    const v = value[field];
    if (v !== undefined && typeof v !== 'boolean') {
      problems.push({ path: at(field), message: `${field} must be true or false, got ${renderValue(v)}${typeof v === 'string' ? '; remove the quotes' : ''}` });
    }
  }
  const skip = value.skipValidation;
  if (skip !== undefined && (typeof skip !== 'string' || skip.trim() === '')) {
    problems.push({ path: at('skipValidation'), message: `skipValidation must be the reason the content is not checked, got ${renderValue(skip)}; for example "skipValidation": "uses a component the validator does not know yet"` });
  }
  if (value.comment !== undefined && typeof value.comment !== 'string') {
    problems.push({ path: at('comment'), message: `comment must be a string, got ${renderValue(value.comment)}` });
  }

  // file
  let relative: string | undefined;
  let readable = false;
  const file = value.file;
  if (file !== undefined) {
    const bad = typeof file === 'string' ? relativePathProblem(file) : 'must be a string';
    if (bad) {
      problems.push({ path: at('file'), message: `file ${bad}, got ${renderValue(file)}; give the Flow JSON file's path relative to ${display(directory)}, such as "${key}.json"` });
    } else {
      relative = normalizeRelative(file as string);
      const full = path.join(directory, relative);
      const problem = fileProblem(full);
      if (problem) {
        problems.push({ path: at('file'), message: `${display(full)} ${problem}` });
      } else {
        readable = true;
        const unusable = checkFile?.(key, display(full));
        if (unusable) problems.push({ path: at('file'), message: unusable });
      }
    }
  } else if (value.publish === true) {
    problems.push({ path: at('publish'), message: 'publish is true but the entry has no file; add "file": "<file>.json" with the flow\'s content, or remove publish' });
  }

  const use: ManifestFile | undefined = relative !== undefined
    ? { key, file: relative, readable, publish: value.publish === true, ...(typeof skip === 'string' && skip.trim() !== '' ? { skipValidation: skip } : {}) }
    : undefined;
  if (problems.length > before) return { file: relative, flowName: validName, use };
  return {
    flowName: validName,
    use,
    entry: {
      key,
      flowName: name as string,
      categories: categories as string[],
      ...(relative !== undefined ? { file: relative } : {}),
      publish: value.publish === true,
      preview: value.preview === true,
      adoptExisting: value.adoptExisting === true,
      skipValidation: typeof skip === 'string' ? skip : undefined,
    },
    file: relative,
  };
}

/** Why a path given in the manifest is not a relative path inside the directory, if it is not. */
function relativePathProblem(p: string): string | undefined {
  if (p.length === 0) return 'must not be empty';
  if (p.includes('\\')) return 'must use / between folders, not \\';
  if (path.posix.isAbsolute(p) || path.win32.isAbsolute(p)) return 'must be relative to the directory, not absolute';
  if (p.split('/').includes('..')) return 'must stay inside the directory (no ..)';
  return undefined;
}

function normalizeRelative(p: string): string {
  const trailing = p.endsWith('/');
  const n = path.posix.normalize(p.split(path.sep).join('/')).replace(/^\.\//, '');
  return trailing && !n.endsWith('/') ? `${n}/` : n;
}

/** Why a flow file cannot be used, if it cannot: missing, not a file, or a name that differs in case. */
function fileProblem(full: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    return 'not found; create it, or correct "file" (a path relative to the manifest\'s directory)';
  }
  if (!stat.isFile()) return 'is not a file; point "file" at a Flow JSON file';
  // On a case-insensitive disk (macOS, Windows) a wrong case is found here but not on Linux CI.
  const base = path.basename(full);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(full));
  } catch {
    return undefined;
  }
  if (!names.includes(base)) {
    const actual = names.find((n) => n.toLowerCase() === base.toLowerCase());
    if (actual) return `is spelled ${renderValue(actual)} on disk; write the name with the same case, or it is not found on a case-sensitive file system`;
  }
  return undefined;
}

/** The `.json` files under a directory (relative, with /), skipping hidden entries and node_modules. */
function jsonFiles(root: string): string[] {
  const out: string[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const s = fs.statSync(path.join(root, child));
          isDir = false; // never follow a linked directory (cycles)
          isFile = s.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (!SKIPPED_DIRS.has(e.name)) pending.push(child);
      } else if (isFile && e.name.toLowerCase().endsWith('.json')) {
        out.push(child);
      }
    }
  }
  return out.sort();
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return renderValue(v);
}

/** "; did you mean …" for a misspelt or mistaken field name. */
function hint(k: string, fields: readonly string[]): string {
  if (Object.prototype.hasOwnProperty.call(FIELD_HINTS, k)) return ` (for ${renderValue(k)} use ${FIELD_HINTS[k]})`;
  const close = fields.find((f) => editDistance(f.toLowerCase(), k.toLowerCase(), 2) <= 2);
  return close ? ` (did you mean ${renderValue(close)}?)` : '';
}
