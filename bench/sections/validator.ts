/**
 * The Flow JSON validator: throughput over the corpus and a 10 MB document against JSON.parse of
 * the same bytes, and the CLI on a hundred files against node parsing them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FlowJsonValidator } from '../../lib/validator';
import { CLI_BUNDLE, corpusFiles, DOCUMENTS_NAME, ROOT } from '../support/context';
import { runTimed } from '../support/proc';
import type { SectionResult, Table } from '../support/report';
import type { SectionContext } from '../support/section';
import { fmtBytes, fmtMs, fmtRatio, median, msSpread, now } from '../support/stats';

const MB = 1024 * 1024;

/** A 10 MB document of 31 screens with 3 base64 images each (as the validator's robustness test builds it). */
export function tenMegabyteDocument(): string {
  const image = { type: 'Image', src: 'QUJD'.repeat(27_500), 'scale-type': 'cover' };
  const id = (i: number) => `S_${String.fromCharCode(65 + (i % 26))}${i >= 26 ? 'X' : ''}`;
  const screens = Array.from({ length: 31 }, (_, i) => {
    const children: unknown[] = [image, image, image];
    if (i < 30) children.push({ type: 'Footer', label: 'Next', 'on-click-action': { name: 'navigate', next: { type: 'screen', name: id(i + 1) }, payload: {} } });
    return { id: id(i), title: `Screen ${i}`, ...(i === 30 ? { terminal: true } : {}), layout: { type: 'SingleColumnLayout', children } };
  });
  return JSON.stringify({ version: '7.3', screens }, undefined, 1);
}

/** Runs `fn` over the texts in rounds, alternating with JSON.parse, for about `budgetMs`; returns ms per pass of each. */
function paired(texts: string[], budgetMs: number): { validate: number[]; parse: number[] } {
  const validate: number[] = [];
  const parse: number[] = [];
  const passValidate = () => {
    const t0 = now();
    for (const t of texts) FlowJsonValidator.validateText(t);
    return now() - t0;
  };
  const passParse = () => {
    const t0 = now();
    for (const t of texts) JSON.parse(t);
    return now() - t0;
  };
  passValidate();
  passParse(); // warm-up
  const deadline = now() + budgetMs;
  for (let round = 0; round < 1000 && (round < 3 || now() < deadline); round++) {
    if (round % 2) {
      parse.push(passParse());
      validate.push(passValidate());
    } else {
      validate.push(passValidate());
      parse.push(passParse());
    }
  }
  return { validate, parse };
}

export async function validatorSection(ctx: SectionContext): Promise<SectionResult> {
  const started = now();
  const { options, scratch } = ctx;
  const tables: Table[] = [];
  const findings: string[] = [];

  const corpus = corpusFiles().map((f) => ({ ...f, text: fs.readFileSync(f.file, 'utf8') }));
  const largest = corpus[corpus.length - 1];
  const sets: Array<{ label: string; texts: string[] }> = [
    { label: `${DOCUMENTS_NAME}, all ${corpus.length} documents`, texts: corpus.map((c) => c.text) },
    { label: `${DOCUMENTS_NAME} without the largest (${corpus.length - 1} documents)`, texts: corpus.slice(0, -1).map((c) => c.text) },
    { label: `the largest ${DOCUMENTS_NAME} document (${largest.name.slice(0, 40)}…)`, texts: [largest.text] },
    { label: '10 MB document (31 screens, 93 base64 images)', texts: [tenMegabyteDocument()] },
  ];
  const rows: string[][] = [];
  for (const s of sets) {
    ctx.progress(`validator: ${s.label}`);
    const bytes = s.texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
    const { validate, parse } = paired(s.texts, options.validatorMs);
    const v = median(validate);
    const p = median(parse);
    rows.push([
      s.label, fmtBytes(bytes), `${validate.length}`,
      `${Math.round((s.texts.length / v) * 1000).toLocaleString('en-US')} docs/s, ${((bytes / MB) / (v / 1000)).toFixed(1)} MB/s`,
      `${Math.round((s.texts.length / p) * 1000).toLocaleString('en-US')} docs/s, ${((bytes / MB) / (p / 1000)).toFixed(0)} MB/s`,
      fmtRatio(v / p), msSpread(validate),
    ]);
  }
  tables.push({
    title: 'Validator throughput (`FlowJsonValidator.validateText`, draft rules)',
    intro: `In this process after a warm-up, validator and \`JSON.parse\` passes over the same texts alternating, for about ${(options.validatorMs / 1000).toFixed(1)} s per row (at least 3 rounds); medians. validateText parses the text itself, so the ratio is the whole cost of the checks over a bare parse.`,
    columns: ['input', 'bytes', 'rounds', 'validateText', 'JSON.parse', 'validate ÷ parse', 'validate, ms per pass'],
    rows,
  });

  // ---- the CLI on a hundred files
  if (!fs.existsSync(CLI_BUNDLE)) {
    tables.push({ title: 'CLI on 100 files', columns: ['skipped'], rows: [[`${path.relative(ROOT, CLI_BUNDLE)} is missing: run \`npm run build\``]] });
  } else {
    const dir = scratch.sub('cli-files');
    const mk = (label: string, pool: typeof corpus, n: number) => {
      const files = Array.from({ length: n }, (_, i) => {
        const src = pool[i % pool.length];
        const f = path.join(dir, `${label}-${String(i).padStart(3, '0')}.json`);
        fs.writeFileSync(f, src.text);
        return f;
      });
      return { label, files, bytes: files.reduce((a, f) => a + fs.statSync(f).size, 0) };
    };
    const fileSets = [
      mk('one', corpus.slice(0, -1).slice(-1), 1),
      mk('typical', corpus.slice(0, -1), 100),
      ...(options.quick ? [] : [mk('all', corpus, 100)]),
    ];
    const labels: Record<string, string> = {
      one: '1 file (start-up)',
      typical: `100 files cycling over the ${corpus.length - 1} ${DOCUMENTS_NAME} documents under 1 MB`,
      all: `100 files cycling over all ${corpus.length} ${DOCUMENTS_NAME} documents`,
    };
    const env = { PATH: process.env.PATH ?? '' };
    const parseScript = "const fs=require('fs');for(const f of process.argv.slice(1))JSON.parse(fs.readFileSync(f,'utf8'))";
    const cliRows: string[][] = [];
    for (const set of fileSets) {
      const cli: number[] = [];
      const node: number[] = [];
      const codes = new Set<number | null>();
      for (let rep = 0; rep < options.cliReps + 1; rep++) {
        ctx.progress(`validator: CLI ${set.label} ${rep + 1}/${options.cliReps + 1}`);
        const a = await runTimed(process.execPath, [CLI_BUNDLE, 'validate', ...set.files], { timeoutMs: 120_000, env, cwd: dir });
        const b = await runTimed(process.execPath, ['-e', parseScript, ...set.files], { timeoutMs: 120_000, env, cwd: dir });
        codes.add(a.code);
        if (rep === 0) continue; // warm-up: page cache
        if (a.code === 0 || a.code === 1) cli.push(a.wallMs);
        if (b.code === 0) node.push(b.wallMs);
      }
      cliRows.push([labels[set.label], fmtBytes(set.bytes), msSpread(cli), msSpread(node), cli.length && node.length ? fmtRatio(median(cli) / median(node)) : '—', cli.length && node.length ? fmtMs(median(cli) - median(node)) : '—', [...codes].join(', ')]);
      if ([...codes].some((c) => c !== 0 && c !== 1)) findings.push(`The CLI exited ${[...codes].join(', ')} on ${labels[set.label]} (expected 0 or 1).`);
    }
    tables.push({
      title: 'CLI: `node dist/bin/whatsapp-flow.js validate <files>` against `node -e` parsing the same files',
      intro: `Wall time from spawn to exit, median (min–max) of ${options.cliReps} after a warm-up run (pre-commit hook use). Exit code 1 means some files have errors (old versions among the documents), as expected.`,
      columns: ['files', 'bytes', 'whatsapp-flow validate', 'node -e JSON.parse', 'CLI ÷ parse', 'difference', 'CLI exit codes'],
      rows: cliRows,
    });
  }
  return { id: 'validator', title: 'The validator', tables, findings, durationMs: now() - started };
}
