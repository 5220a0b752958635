/**
 * Recorded verdicts on real documents: the project's own (test/fixtures/documents, always run)
 * and the third-party corpus beside the repository (../shared/corpus/flows, run when present,
 * otherwise reported as skipped). Every document gets its exact set of finding codes, for a
 * draft and for publishing, each with its reason in the verdict file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';
import { CORPUS_PRESENT, corpusFile, corpusFileNames, corpusTest, LARGE_IMAGE_DOCUMENT, largeImageFlow, NamedDocument, ownDocuments } from '../support/documents';

interface Expected {
  readonly verdict: 'valid' | 'errors';
  readonly errors: string[];
  readonly warnings: string[];
}
interface Entry {
  readonly reason: string;
  readonly draft: Expected;
  readonly publish: Expected;
}

function verdicts(file: string): Record<string, Entry> {
  return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures', file), 'utf8')) as { documents: Record<string, Entry> }).documents;
}

function codes(findings: FlowJsonFinding[], severity: FindingSeverity): string[] {
  return [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.code))].sort();
}

/** Checks one document against its recorded verdict. */
function expectVerdict(doc: NamedDocument, entry: Entry): void {
  for (const [mode, publish] of [['draft', false], ['publish', true]] as const) {
    const expected = entry[mode];
    const findings = FlowJsonValidator.validateText(doc.text, { publish });
    const errors = codes(findings, FindingSeverity.ERROR);
    // A document recorded without errors must not get any: false positives are the worst failure.
    if (expected.errors.length === 0) {
      expect({ mode, errors: findings.filter((f) => f.severity === FindingSeverity.ERROR).map((f) => FlowJsonValidator.formatFinding(f, doc.name)) }).toEqual({ mode, errors: [] });
    }
    expect({ mode, verdict: errors.length > 0 ? 'errors' : 'valid', errors, warnings: codes(findings, FindingSeverity.WARNING) })
      .toEqual({ mode, verdict: expected.verdict, errors: [...expected.errors].sort(), warnings: [...expected.warnings].sort() });
  }
}

function expectSameFromObject(doc: NamedDocument): void {
  const strip = (fs_: FlowJsonFinding[]) => fs_.map(({ line, column, ...rest }) => rest);
  expect(strip(FlowJsonValidator.validateObject(JSON.parse(doc.text)))).toEqual(strip(FlowJsonValidator.validateText(doc.text)));
}

describe("the project's own documents", () => {
  const recorded = verdicts('document-verdicts.json');
  const docs = [...ownDocuments(), { name: LARGE_IMAGE_DOCUMENT, text: largeImageFlow() }];

  test('have a recorded verdict, with a reason, for every document and no verdict for a missing one', () => {
    expect(Object.keys(recorded).sort()).toEqual(docs.map((d) => d.name).sort());
    for (const entry of Object.values(recorded)) expect(entry.reason.length).toBeGreaterThan(40);
  });

  test('record every verdict the third-party corpus records, so a clone alone checks each of them', () => {
    const seen = (entries: Record<string, Entry>) => new Set(Object.values(entries).flatMap((e) => [e.draft, e.publish].flatMap((x) => [
      `${x.verdict}`, ...x.errors.map((c) => `error ${c}`), ...x.warnings.map((c) => `warning ${c}`)])));
    const ours = seen(recorded);
    expect([...seen(verdicts('corpus-verdicts.json'))].filter((v) => !ours.has(v))).toEqual([]);
  });

  test('include one of more than 1 MB with base64 images', () => {
    const large = docs.find((d) => d.name === LARGE_IMAGE_DOCUMENT)!;
    expect(Buffer.byteLength(large.text)).toBeGreaterThan(1024 * 1024);
    expect(large.text).toMatch(/"src": "iVBORw0KGgo/); // PNG signature in base64
  });

  describe.each(docs.map((d) => [d.name, d] as const))('%s', (_, doc) => {
    test('gets its recorded draft and publish verdicts', () => expectVerdict(doc, recorded[doc.name]));
    test('gets the same findings from the parsed object as from the text', () => expectSameFromObject(doc));
  });
});

describe('the third-party corpus of real Flow JSON documents', () => {
  const recorded = verdicts('corpus-verdicts.json');
  const files = corpusFileNames();

  corpusTest('is there to be checked', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  corpusTest('has a recorded verdict, with a reason, for every document and no verdict for a missing one', () => {
    expect(Object.keys(recorded).sort()).toEqual(files);
    for (const entry of Object.values(recorded)) expect(entry.reason.length).toBeGreaterThan(40);
  });

  if (CORPUS_PRESENT) {
    describe.each(files)('%s', (name) => {
      const doc = { name, text: fs.readFileSync(corpusFile(name), 'utf8') };
      test('gets its recorded draft and publish verdicts', () => {
        expect(recorded[name]).toBeDefined();
        expectVerdict(doc, recorded[name]);
      });
      test('gets the same findings from the parsed object as from the text', () => expectSameFromObject(doc));
    });
  } else {
    corpusTest('gives every document its recorded draft and publish verdicts', () => undefined);
    corpusTest('gives every document the same findings from the parsed object as from the text', () => undefined);
  }
});
