import * as fs from 'fs';
import * as path from 'path';
import { Code } from '../../lib/validator/private/codes';

const README = fs.readFileSync(path.resolve(__dirname, '../../lib/validator/README.md'), 'utf8');

describe('the validator README', () => {
  test('documents every code in its table, and no code that does not exist', () => {
    const rows = [...README.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.values(Code).sort());
  });

  test('gives each code a severity, a rule, a version and an example fix', () => {
    for (const line of README.split('\n').filter((l) => /^\| `[A-Z_]+` \|/.test(l))) {
      const cells = line.split(' | ');
      expect(cells).toHaveLength(5);
      for (const cell of cells) expect(cell.replace(/\|/g, '').trim().length).toBeGreaterThan(0);
    }
  });
});
