/**
 * The folder boundaries of the README's "Development" section are checked by ESLint
 * (eslint.config.mjs), and these tests keep the checks working: each file in fixtures/ breaks one
 * boundary, and is linted as if it sat where it would break it (ESLint's lintText with a
 * filePath), so that a rule that stops matching (a folder renamed, a zone mistyped, a resolver
 * that no longer finds .ts files) fails here instead of letting imports through unnoticed.
 *
 * ESLint runs in a child Node process: its flat config is an ES module, which jest's module
 * system cannot load.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');

interface Message {
  readonly ruleId: string | null;
  readonly message: string;
}

/** [fixture, the path it is linted as, the rule that must report it, words of the message]. */
const BREAKS: Array<[string, string, string, string]> = [
  ['lib-imports-lambda.ts', 'lib/boundary-check.ts', 'import-x/no-restricted-paths', 'lib/ is the jsii surface'],
  ['lib-imports-cli.ts', 'lib/private/boundary-check.ts', 'import-x/no-restricted-paths', 'lib/ is the jsii surface'],
  ['lib-requires-local.ts', 'lib/validator/boundary-check.ts', 'import-x/no-restricted-paths', 'lib/ is the jsii surface'],
  ['lib-imports-test.ts', 'lib/boundary-check.ts', 'import-x/no-restricted-paths', 'lib/ is the jsii surface'],
  ['shared-imports-private.ts', 'lib/shared/boundary-check.ts', 'import-x/no-restricted-paths', 'lib/shared/ is what the construct, the handler and the CLI share'],
  ['shared-imports-package.ts', 'lib/shared/boundary-check.ts', 'no-restricted-imports', 'lib/shared/ imports only Node built-ins'],
  ['lambda-imports-lib-private.ts', 'lambda/boundary-check.ts', 'import-x/no-restricted-paths', 'lambda/ shares only lib/shared/'],
  ['lambda-imports-cdk.ts', 'lambda/boundary-check.ts', 'no-restricted-imports', 'the handler bundle never imports aws-cdk-lib'],
  ['lambda-imports-local.ts', 'lambda/boundary-check.ts', 'import-x/no-restricted-paths', 'lambda/ is the handler bundle'],
  ['cli-imports-cdk.ts', 'cli/commands/boundary-check.ts', 'no-restricted-imports', 'the CLI (bundled without aws-cdk-lib) never imports aws-cdk-lib'],
  ['cli-imports-construct.ts', 'cli/commands/boundary-check.ts', 'import-x/no-restricted-paths', 'the CLI imports from lib/ only what has no CDK dependency'],
  ['cli-imports-handler.ts', 'cli/diff/boundary-check.ts', 'import-x/no-restricted-paths', 'the CLI imports from lambda/ only the lifecycle decision'],
  ['validator-imports-constructs.ts', 'lib/validator/private/boundary-check.ts', 'no-restricted-imports', 'never imports aws-cdk-lib or constructs'],
  ['local-imports-cli.ts', 'local/deploy/boundary-check.ts', 'import-x/no-restricted-paths', 'the local stand-ins take from the CLI only the Io interface'],
  ['local-imports-lambda.ts', 'local/lambda/boundary-check.ts', 'import-x/no-restricted-paths', 'the local stand-ins run the handler bundle as Lambda does'],
  ['test-imports-bench.ts', 'test/support/boundary-check.ts', 'import-x/no-restricted-paths', 'nothing imports the benchmark'],
];

/** Lints each fixture as if it were the given file of the repository. */
function lintAs(cases: ReadonlyArray<readonly [string, string]>): Message[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const [text, filePath] of cases) {
      const [result] = await eslint.lintText(text, { filePath });
      out.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const input = cases.map(([fixture, as]) => [fs.readFileSync(path.join(FIXTURES, fixture), 'utf8'), path.join(ROOT, as)]);
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(input)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('the folder boundaries, checked by ESLint', () => {
  let results: Message[][];
  beforeAll(() => {
    results = lintAs([...BREAKS.map(([fixture, as]) => [fixture, as] as const), ['allowed.ts', 'cli/diff/boundary-check.ts']]);
  });

  test.each(BREAKS.map((c, i) => [...c, i] as const))('reports %s, linted as %s, by %s', (_fixture, _as, rule, words, i) => {
    const reported = results[i].filter((m) => m.ruleId === rule);

    expect(reported.map((m) => m.message)).toEqual([expect.stringContaining(words)]);
    expect(results[i].filter((m) => m.ruleId !== rule)).toEqual([]);
  });

  test('reports nothing for what the CLI may import: the decision, the validator, lib/shared, the local state', () => {
    expect(results[BREAKS.length]).toEqual([]);
  });

  test('has a fixture for every file in fixtures/, and a case for every fixture', () => {
    expect([...BREAKS.map(([f]) => f), 'allowed.ts'].sort()).toEqual(fs.readdirSync(FIXTURES).sort());
  });
});

test('every eslint-disable comment is for one line, names its rule and says why', () => {
  const files = spawnSync('git', ['ls-files', '*.ts', '*.js', '*.mjs'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const bad: string[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/eslint-disable|eslint-enable/.test(line) || file === 'test/lint/boundaries.test.ts') return;
      if (!/\/\/ eslint-disable-(next-)?line [@\w/-]+(, [@\w/-]+)* -- \S/.test(line)) bad.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(bad).toEqual([]);
});
