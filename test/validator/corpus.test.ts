import * as fs from 'fs';
import * as path from 'path';
import { FindingSeverity, FlowJsonFinding, FlowJsonValidator } from '../../lib/validator';

/** The corpus lives in shared/, beside the repository (CI lays ../shared beside the clone). */
const CORPUS = path.resolve(__dirname, '../../../shared/corpus/flows');
const VERDICTS = path.resolve(__dirname, '../fixtures/corpus-verdicts.json');

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

const verdicts = (JSON.parse(fs.readFileSync(VERDICTS, 'utf8')) as { documents: Record<string, Entry> }).documents;
const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort();

function codes(findings: FlowJsonFinding[], severity: FindingSeverity): string[] {
  return [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.code))].sort();
}

describe('the corpus of real Flow JSON documents', () => {
  test('is there to be checked', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  test('has a recorded verdict, with a reason, for every document and no verdict for a missing one', () => {
    expect(Object.keys(verdicts).sort()).toEqual(files);
    for (const entry of Object.values(verdicts)) {
      expect(entry.reason.length).toBeGreaterThan(40);
    }
  });

  describe.each(files)('%s', (file) => {
    const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
    const entry: Entry | undefined = verdicts[file];

    test.each([
      ['draft', false],
      ['publish', true],
    ] as const)('gets its recorded %s verdict', (mode, publish) => {
      const expected = entry![mode];
      const findings = FlowJsonValidator.validateText(text, { publish });
      const errors = codes(findings, FindingSeverity.ERROR);
      // A document recorded without errors must not get any: false positives are the worst failure.
      if (expected.errors.length === 0) {
        expect(findings.filter((f) => f.severity === FindingSeverity.ERROR).map((f) => FlowJsonValidator.formatFinding(f, file))).toEqual([]);
      }
      expect({ verdict: errors.length > 0 ? 'errors' : 'valid', errors, warnings: codes(findings, FindingSeverity.WARNING) })
        .toEqual({ verdict: expected.verdict, errors: [...expected.errors].sort(), warnings: [...expected.warnings].sort() });
    });

    test('gets the same findings from the parsed object as from the text', () => {
      const strip = (fs_: FlowJsonFinding[]) => fs_.map(({ line, column, ...rest }) => rest);
      expect(strip(FlowJsonValidator.validateObject(JSON.parse(text)))).toEqual(strip(FlowJsonValidator.validateText(text)));
    });
  });
});
