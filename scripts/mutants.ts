/**
 * `npm run mutants`: how well the Flow JSON validator catches the mistakes people make, measured by
 * planting them one at a time in real documents (test/support/mutants.ts says which), and how many
 * errors it reports on documents its verdict files record as valid (false alarms).
 *
 * Uses the optional third-party corpus beside the repository (see test/support/documents.ts) when it is there, and
 * the project's own documents (test/fixtures/documents) otherwise; `--own` uses the project's own
 * documents even when the corpus is there. `--missed` lists every mutant not caught as an error.
 * Exits 1 when a counted mutant is not caught as an error or a document recorded valid gets one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CORPUS_PRESENT, corpusFile, corpusFileNames, ownDocuments } from '../test/support/documents';
import { MeasuredDocument, measure } from '../test/support/mutants';

interface Recorded {
  readonly documents: Record<string, NonNullable<MeasuredDocument['recorded']>>;
}

function recorded(file: string): Recorded['documents'] {
  return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'test', 'fixtures', file), 'utf8')) as Recorded).documents;
}

function main(argv: readonly string[]): number {
  const own = argv.includes('--own') || !CORPUS_PRESENT;
  const documents: MeasuredDocument[] = own
    ? ownDocuments().map((d) => ({ ...d, recorded: recorded('document-verdicts.json')[d.name] }))
    : corpusFileNames().map((name) => ({ name, text: fs.readFileSync(corpusFile(name), 'utf8'), recorded: recorded('corpus-verdicts.json')[name] }));
  const started = Date.now();
  const m = measure(documents);
  const pct = (n: number, of: number) => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)}%`);

  const out: string[] = [];
  out.push(`Documents: ${own ? `the project's own (test/fixtures/documents, ${documents.length})` : `the third-party corpus beside the repository (${documents.length})`}; validated as drafts.`);
  out.push('');
  out.push('| mistake | generated | eligible | caught as error | warning only | missed | error names the intended name | one finding only |');
  out.push('|---|---|---|---|---|---|---|---|');
  const total = { generated: 0, eligible: 0, error: 0, warningOnly: 0, missed: 0, single: 0 };
  for (const r of m.rows) {
    out.push(`| ${r.kind} | ${r.generated} | ${r.eligible} | ${r.error} (${pct(r.error, r.eligible)}) | ${r.warningOnly} | ${r.missed} | ${r.namesOriginal === undefined ? '—' : `${r.namesOriginal} (${pct(r.namesOriginal, r.error)})`} | ${r.single} (${pct(r.single, r.error)}) |`);
    total.generated += r.generated;
    total.eligible += r.eligible;
    total.error += r.error;
    total.warningOnly += r.warningOnly;
    total.missed += r.missed;
    total.single += r.single;
  }
  out.push(`| **all** | ${total.generated} | ${total.eligible} | ${total.error} (${pct(total.error, total.eligible)}) | ${total.warningOnly} | ${total.missed} | | ${total.single} (${pct(total.single, total.error)}) |`);
  out.push('');
  const fa = m.falseAlarms;
  out.push(`False alarms: ${fa.withErrors.length} of ${fa.recordedValid} documents (draft and publish counted apart) recorded without errors got an error.`);
  for (const w of fa.withErrors) out.push(`  ${w.document} (${w.mode}):\n${w.errors.map((e) => `    ${e}`).join('\n')}`);
  out.push(`(${m.judged.length} mutants validated in ${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const notCaught = m.judged.filter((j) => j.mutant.eligible && j.verdict !== 'error');
  if (argv.includes('--missed') || notCaught.length > 0) {
    out.push('', 'Not caught as an error:');
    for (const j of notCaught) {
      out.push(`  ${j.mutant.document} ${j.mutant.kind} at ${j.mutant.path}: ${JSON.stringify(j.mutant.original)} -> ${JSON.stringify(j.mutant.changed)} (${j.verdict})`);
      for (const f of j.newFindings) out.push(`    ${f}`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');
  return notCaught.length > 0 || fa.withErrors.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
