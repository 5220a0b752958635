/**
 * What every section shares: the repository's paths, the run's mode and grid, a temporary folder
 * removed at the end, the corpus documents used and the machine's description.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CORPUS_DIR, CORPUS_PRESENT, LARGE_IMAGE_DOCUMENT, largeImageFlow, OWN_DOCUMENTS_DIR } from '../../test/support/documents';

export const ROOT = path.resolve(__dirname, '..', '..');
export const HANDLER_BUNDLE = path.join(ROOT, 'lambda', 'dist', 'index.js');
export const CLI_BUNDLE = path.join(ROOT, 'dist', 'bin', 'whatsapp-flow.js');
export const WABA = 'waba-0123456789abcdef0123456789abcdef';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface BenchOptions {
  readonly quick: boolean;
  /** Section ids to run (all when empty). */
  readonly only: readonly string[];
  /** Flow counts of the synth and deploy grids. */
  readonly flowCounts: readonly number[];
  /** Repetitions of the synth measurements. */
  readonly synthReps: number;
  /** Largest flow count run with the largest document (synth and deploy). */
  readonly largestDocMaxFlows: number;
  /** Largest flow count deployed with the largest document. */
  readonly largestDocDeployMaxFlows: number;
  readonly deployFlowCounts: readonly number[];
  /** Flow counts also deployed with one event at a time (the engine with a concurrency of 1). */
  readonly serialFlowCounts: readonly number[];
  /** Concurrency levels of the concurrency section. */
  readonly concurrency: readonly number[];
  readonly coldStarts: number;
  /** Time given to each validator throughput measurement. */
  readonly validatorMs: number;
  readonly cliReps: number;
}

export function optionsFor(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const only = argv.filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice('--only='.length).split(','));
  return quick
    ? {
        quick,
        only,
        flowCounts: [1, 10],
        synthReps: 1,
        largestDocMaxFlows: 1,
        largestDocDeployMaxFlows: 1,
        deployFlowCounts: [5],
        serialFlowCounts: [5],
        concurrency: [5],
        coldStarts: 3,
        validatorMs: 200,
        cliReps: 1,
      }
    : {
        quick,
        only,
        flowCounts: [1, 10, 100, 200],
        synthReps: 3,
        largestDocMaxFlows: 200,
        largestDocDeployMaxFlows: 100,
        deployFlowCounts: [1, 10, 100, 200],
        serialFlowCounts: [1, 10],
        concurrency: [1, 10, 25, 50],
        coldStarts: 21,
        validatorMs: 2000,
        cliReps: 5,
      };
}

/** A corpus document the benchmark deploys: its file, size and why it was chosen. */
export interface CorpusDoc {
  readonly label: string;
  readonly file: string;
  readonly name: string;
  readonly bytes: number;
  readonly text: string;
}

/**
 * Where the documents the benchmark measures come from: the third-party corpus beside the
 * repository when it is there (../shared/corpus/flows, as in CI), otherwise the project's own
 * documents plus a generated endpoint flow of 1.3 MB of base64 images.
 */
export const DOCUMENT_SOURCE = CORPUS_PRESENT
  ? `the third-party corpus of real Flow JSON documents (${path.relative(ROOT, CORPUS_DIR)})`
  : `the project's own documents (${path.relative(ROOT, OWN_DOCUMENTS_DIR)}) and a generated 1.3 MB endpoint flow of base64 images, because ${path.relative(ROOT, CORPUS_DIR)} is absent: figures on documents differ from bench/results.md`;

/** What the tables call those documents. */
export const DOCUMENTS_NAME = CORPUS_PRESENT ? 'corpus' : 'own';

let documents: { file: string; name: string; bytes: number }[] | undefined;

/** Every document of DOCUMENT_SOURCE, smallest first. */
export function corpusFiles(): { file: string; name: string; bytes: number }[] {
  if (documents) return documents;
  const listed = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));
  let files: string[];
  if (CORPUS_PRESENT) {
    files = listed(CORPUS_DIR);
  } else {
    // Written below the run's temporary folder (TMPDIR is the scratch folder), removed at the end.
    const generated = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'documents-')), LARGE_IMAGE_DOCUMENT.replace(/^generated:/, ''));
    fs.writeFileSync(generated, largeImageFlow());
    files = [...listed(OWN_DOCUMENTS_DIR), generated];
  }
  documents = files
    .map((file) => ({ file, name: path.basename(file), bytes: fs.statSync(file).size }))
    .sort((a, b) => a.bytes - b.bytes || a.name.localeCompare(b.name));
  return documents;
}

/** The median-size corpus document, the largest one, and the largest that still travels inline (≤ 4 KiB). */
export function chosenDocs(): { median: CorpusDoc; largest: CorpusDoc; largestInline: CorpusDoc } {
  const files = corpusFiles();
  const pick = (label: string, f: { file: string; name: string; bytes: number }): CorpusDoc => ({ label, ...f, text: fs.readFileSync(f.file, 'utf8') });
  const inline = files.filter((f) => f.bytes <= 4096);
  return {
    median: pick('median', files[Math.floor((files.length - 1) / 2)]),
    largest: pick('largest', files[files.length - 1]),
    largestInline: pick('largest inline', inline[inline.length - 1]),
  };
}

/**
 * The text of flow number `i` made from a corpus document: the same bytes except that the first
 * screen title names the flow, so that N flows are N distinct documents (as in a real stack),
 * each with its own content hash and S3 object. Size changes by a few bytes.
 */
export function variantText(text: string, i: number): string {
  const re = /("title"\s*:\s*")/;
  if (re.test(text)) return text.replace(re, `$1#${i} `);
  // No title: tag the version string's neighbour instead (still valid JSON, same structure).
  return text.replace(/("version"\s*:\s*"[^"]*")/, `$1, "x-bench": "${i}"`);
}

/** A temporary folder for the run; every file the benchmark writes goes below it. */
export class Scratch {
  public readonly dir: string;
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfc-bench-'));
  }
  public sub(name: string): string {
    const d = path.join(this.dir, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }
  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Writes the N variant files of a document into `dir` once; returns their paths. */
export function variantFiles(dir: string, doc: CorpusDoc, n: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return Array.from({ length: n }, (_, i) => {
    const f = path.join(dir, `${doc.label.replace(/\s+/g, '-')}-${i}.json`);
    if (!fs.existsSync(f)) fs.writeFileSync(f, variantText(doc.text, i));
    return f;
  });
}

export function machine(): { nproc: number; memory: string; node: string; cpu: string; os: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    cpu,
    os: `${os.type()} ${os.release()}`,
  };
}
