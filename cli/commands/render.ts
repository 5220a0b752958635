/**
 * `whatsapp-flow render <file | directory | cdk.out>... --out <dir> [--png]`: draws flows offline,
 * one self-contained HTML page per flow (every screen as a phone-width column, and the navigation
 * map), for reviewers who have no Meta account and no deployed flow. With `--png`, also a PNG of
 * each screen and of the map, taken with a Chromium that is already installed.
 *
 * Exit codes: 0 every page written; 1 an input that cannot be read or drawn (the others are still
 * written), bad usage, or --png without a Chromium; 3 internal.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { glob } from 'tinyglobby';
import { MAX_FLOW_JSON_BYTES } from '../../lib/shared/contract';
import { DEFAULT_MANIFEST_FILE, checkFlowManifest } from '../../lib/private/flow-manifest';
import { JsonTextError } from '../../lib/validator/private/json-scanner';
import { displayPath } from '../../lib/private/messages';
import { InputError, readAssembly, readContent } from '../diff/assembly-flows';
import { slug } from '../slug';
import { Chromium, elementPngs, findChromium, noChromiumMessage } from '../render/chromium';
import { esc } from '../render/html';
import { flowPage, page } from '../render/page';
import { ExitCode } from '../command';
import type { Io } from '../io';

const HELP = `usage: whatsapp-flow render <file | directory | cdk.out>... --out <dir> [--png]

Draws WhatsApp Flows offline: one self-contained HTML page per flow (no
network: no fonts, scripts or images from anywhere), with every screen as a
phone-width column in the manner of WhatsApp's flow sheet and the navigation
map. Dynamic values are filled from the screens' __example__ data, or shown as
placeholders.

arguments:
  <file>       a Flow JSON file
  <directory>  a directory of flows with a ${DEFAULT_MANIFEST_FILE} manifest
               (WhatsAppFlowDirectory, whatsapp-flow pull): the files it lists;
               a cloud assembly (cdk.out): every flow with content; any other
               directory: its .json files (node_modules, .git and cdk.out skipped)

options:
  --out <dir>  where to write the pages (created if needed): <name>.html per
               flow, and index.html linking them
  --png        also write <name>.<SCREEN>.png per screen and <name>.map.png,
               with a headless Chromium already installed (chromium on the
               PATH, or WHATSAPP_FLOW_CHROMIUM); none is ever downloaded
  -h, --help   show this help

exit codes:
  0  every page was written
  1  an input that cannot be read or drawn (the other pages are written), bad
     usage, or --png without a Chromium
  3  an internal error (a bug: please report it)
`;

/** Inputs larger than this are not read. */
const MAX_READ_BYTES = 4 * MAX_FLOW_JSON_BYTES;

/** One flow to draw. */
interface Source {
  /** The page's heading. */
  readonly title: string;
  /** The basis of the page's file name. */
  readonly name: string;
  /** Where it comes from, as the user sees it. */
  readonly origin: string;
  readonly publish: boolean;
  readonly read: () => Promise<string>;
}

interface Written {
  readonly file: string;
  readonly title: string;
  readonly origin: string;
  readonly screens: number;
}

export async function run(args: string[], io: Io): Promise<number> {
  let out: string | undefined;
  let png = false;
  const inputs: string[] = [];
  let onlyOperands = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyOperands || !arg.startsWith('-') || arg === '-') {
      inputs.push(arg);
    } else if (arg === '--') {
      onlyOperands = true;
    } else if (arg === '--out' || arg.startsWith('--out=')) {
      out = arg === '--out' ? args[++i] : arg.slice('--out='.length);
      if (!out) return usageError(io, '--out needs a directory');
    } else if (arg === '--png') {
      png = true;
    } else if (arg === '--help' || arg === '-h') {
      io.stdout(HELP);
      return ExitCode.OK;
    } else {
      return usageError(io, `unknown option ${JSON.stringify(arg)}`);
    }
  }
  if (inputs.length === 0) return usageError(io, 'no input given: pass Flow JSON files, a directory of flows or a cloud assembly (cdk.out)');
  if (out === undefined) return usageError(io, '--out is required: the directory to write the pages to');
  const chromium = png ? findChromium() : undefined;
  if (png && !chromium) {
    io.stderr(`whatsapp-flow render: --png: ${noChromiumMessage()}\n`);
    return ExitCode.ERRORS;
  }

  const problems: string[] = [];
  const notes: string[] = [];
  const sources: Source[] = [];
  for (const input of inputs) {
    try {
      sources.push(...(await sourcesOf(input, io.cwd, notes)));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(e.message);
    }
  }

  const outDir = path.resolve(io.cwd, out);
  try {
    await fs.mkdir(outDir, { recursive: true });
  } catch (e) {
    io.stderr(`whatsapp-flow render: cannot create --out ${displayPath(outDir, io.cwd)}: ${(e as Error).message}\n`);
    return ExitCode.ERRORS;
  }
  const taken = new Set<string>(['index']);
  const written: Written[] = [];
  for (const source of sources) {
    let text: string;
    try {
      text = await source.read();
    } catch (e) {
      problems.push(e instanceof InputError ? e.message : `${source.origin}: ${(e as Error).message}`);
      continue;
    }
    const drawn = flowPage(text, { title: source.title, source: source.origin, publish: source.publish });
    if (!drawn.flow) {
      problems.push(`${source.origin}: ${drawn.problem}; not drawn`);
      continue;
    }
    const stem = unique(slug(source.name) || 'flow', taken);
    const file = path.join(outDir, `${stem}.html`);
    await fs.writeFile(file, drawn.html, 'utf8');
    written.push({ file, title: source.title, origin: source.origin, screens: drawn.flow.screens.length });
  }
  if (written.length > 1) await fs.writeFile(path.join(outDir, 'index.html'), indexPage(written, outDir), 'utf8');

  const lines = written.map((w) => `${displayPath(w.file, io.cwd)}  ${w.title} (${w.screens} screen${w.screens === 1 ? '' : 's'}, from ${w.origin})`);
  if (chromium && written.length > 0) {
    const browser = await Chromium.launch(chromium);
    try {
      const tab = await browser.newPage();
      for (const w of written) {
        const stem = w.file.slice(0, -'.html'.length);
        const shots = await elementPngs(tab, w.file, '.screen, .map');
        for (const shot of shots) await fs.writeFile(`${stem}.${shot.screen ? safe(shot.screen) : 'map'}.png`, shot.png);
        lines.push(`${displayPath(stem, io.cwd)}.*.png  ${shots.length} PNG${shots.length === 1 ? '' : 's'}`);
      }
    } finally {
      await browser.close();
    }
  }
  lines.push(...notes);
  io.stdout(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  for (const p of problems) io.stderr(`whatsapp-flow render: ${p}\n`);
  return problems.length > 0 ? ExitCode.ERRORS : ExitCode.OK;
}

/** The flows an input names: a file, a directory with a manifest, a cloud assembly, or a directory of .json files. */
async function sourcesOf(input: string, cwd: string, notes: string[]): Promise<Source[]> {
  const full = path.resolve(cwd, input);
  let stat;
  try {
    stat = await fs.stat(full);
  } catch {
    throw new InputError(input, 'no such file or directory');
  }
  if (!stat.isDirectory()) {
    if (path.basename(full) === DEFAULT_MANIFEST_FILE) return manifestSources(path.dirname(full), full, cwd);
    return [fileSource(full, cwd)];
  }
  if (await isFile(path.join(full, 'manifest.json'))) return assemblySources(input, cwd, notes);
  if (await isFile(path.join(full, DEFAULT_MANIFEST_FILE))) return manifestSources(full, path.join(full, DEFAULT_MANIFEST_FILE), cwd);
  const files = await glob('**/*.json', { cwd: full, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**', '**/cdk.out/**'] });
  if (files.length === 0) throw new InputError(input, 'a directory without .json files, a manifest or a cloud assembly');
  return files.sort().map((f) => fileSource(path.join(full, f), cwd));
}

function fileSource(full: string, cwd: string, title?: string, publish = false): Source {
  const origin = displayPath(full, cwd);
  return { title: title ?? path.basename(full), name: title ?? path.basename(full, '.json'), origin, publish, read: () => readText(full, origin) };
}

async function manifestSources(directory: string, manifestPath: string, cwd: string): Promise<Source[]> {
  const raw = await readText(manifestPath, displayPath(manifestPath, cwd));
  let manifest;
  try {
    manifest = checkFlowManifest(directory, manifestPath, raw, { cwd });
  } catch (e) {
    if (e instanceof JsonTextError) throw new InputError(displayPath(manifestPath, cwd), e.message);
    throw e;
  }
  return manifest.entries
    .filter((e) => e.file !== undefined)
    .map((e) => fileSource(path.join(directory, ...e.file!.split('/')), cwd, e.flowName, e.publish));
}

async function assemblySources(dir: string, cwd: string, notes: string[]): Promise<Source[]> {
  const assembly = await readAssembly(dir, cwd);
  for (const f of assembly.flows.filter((x) => x.content === undefined)) {
    notes.push(`${f.stack}/${f.logicalId} ${JSON.stringify(f.flowName.literal ?? f.flowName.text)}: no Flow JSON in the assembly (its content is not managed, e.g. a clone): not drawn`);
  }
  return assembly.flows.filter((f) => f.content !== undefined).map((f) => ({
    title: f.flowName.literal ?? f.logicalId,
    name: f.flowName.literal ?? f.logicalId,
    origin: [f.sourceFile, `${f.stack}/${f.logicalId}`].filter(Boolean).join(', '),
    publish: f.publish === true,
    read: () => readContent(f.content!, MAX_READ_BYTES),
  }));
}

async function readText(full: string, shown: string): Promise<string> {
  try {
    const stat = await fs.stat(full);
    if (stat.size > MAX_READ_BYTES) throw new InputError(shown, `${stat.size} bytes, more than the ${MAX_READ_BYTES} bytes this command reads`);
    return await fs.readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(shown, code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read it: ${(e as Error).message}`);
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

function unique(stem: string, taken: Set<string>): string {
  let name = stem;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}`;
  taken.add(name);
  return name;
}

/** A screen id as a file name part. */
function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80) || 'screen';
}

function indexPage(written: Written[], outDir: string): string {
  const rows = written.map((w) => `<li><a href="${encodeURI(path.relative(outDir, w.file))}">${esc(w.title)}</a> <span class="unchanged">${w.screens} screen${w.screens === 1 ? '' : 's'} · ${esc(w.origin)}</span></li>`).join('');
  return page('WhatsApp Flows', `<header class="page-head"><h1>WhatsApp Flows</h1><div class="page-sub">${written.length} flows</div></header><ul class="flow">${rows}</ul>`);
}

function usageError(io: Io, message: string): number {
  io.stderr(`whatsapp-flow render: ${message}\n\n${HELP}`);
  return ExitCode.ERRORS;
}
