/**
 * A sample of the mutation measurement (`npm run mutants` runs all of it): mistakes planted one at a
 * time in real documents must each be caught as an error, by one finding, and a misspelling must
 * name the name meant; documents recorded valid must get no error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { corpusFile, corpusFileNames, corpusTest, ownDocuments } from '../support/documents';
import { MUTATION_KINDS, MeasuredDocument, Measurement, measure } from '../support/mutants';

type Verdicts = Record<string, NonNullable<MeasuredDocument['recorded']>>;

function recorded(file: string): Verdicts {
  return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures', file), 'utf8')) as { documents: Verdicts }).documents;
}

/** Every counted mutant that was not caught as an error by exactly one finding (naming the original for a misspelling). */
function shortfalls(m: Measurement): string[] {
  return m.judged
    .filter((j) => j.mutant.eligible)
    .filter((j) => j.verdict !== 'error' || j.newFindings.length !== 1 || (m.rows.find((r) => r.kind === j.mutant.kind)!.namesOriginal !== undefined && !j.namesOriginal))
    .map((j) => `${j.mutant.document} ${j.mutant.kind} at ${j.mutant.path}: ${j.mutant.original} -> ${j.mutant.changed}: ${j.verdict}\n  ${j.newFindings.join('\n  ')}`);
}

describe('mutants of the project\'s own documents', () => {
  const verdicts = recorded('document-verdicts.json');
  const m = measure(ownDocuments().map((d) => ({ ...d, recorded: verdicts[d.name] })), { perKind: 4 });

  test('include every kind of mistake', () => {
    for (const kind of MUTATION_KINDS) expect({ kind, eligible: m.rows.find((r) => r.kind === kind)!.eligible > 0 }).toEqual({ kind, eligible: true });
  });

  test('are each caught as an error, by one finding, naming the name meant for a misspelling', () => {
    expect(shortfalls(m)).toEqual([]);
  });

  test('leave no error on the documents as they are, where the verdicts record none', () => {
    expect(m.falseAlarms.recordedValid).toBeGreaterThan(5);
    expect(m.falseAlarms.withErrors).toEqual([]);
  });
});

describe('mutants of the third-party corpus', () => {
  corpusTest('are each caught as an error, by one finding, and the documents recorded valid get none', () => {
    const verdicts = recorded('corpus-verdicts.json');
    // The documents under 1 MB: the large one would only make the sample slower.
    const docs = corpusFileNames().map((name) => ({ name, text: fs.readFileSync(corpusFile(name), 'utf8'), recorded: verdicts[name] }))
      .filter((d) => d.text.length < 1024 * 1024);
    const m = measure(docs, { perKind: 2 });
    expect(shortfalls(m)).toEqual([]);
    expect(m.falseAlarms.withErrors).toEqual([]);
  });
});
