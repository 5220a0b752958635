/**
 * `npm run soak -- [--minutes N] [--parallel P] [--seed S] [--steps K]`: runs random deploy
 * histories (test/support/histories.ts) for as long as the time allows and prints how many ran,
 * how many steps, the seed, and every failure with the history that produced it, so that it can
 * be run again alone. Exit code 1 when a history broke an invariant.
 */
import fc from 'fast-check';
import { historyArbitrary, runHistories, shrinkHistory } from '../test/support/histories';

process.env.CDK_VALIDATION = 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

async function main(): Promise<number> {
  const minutes = arg('minutes', 5);
  const parallel = arg('parallel', 3);
  const steps = arg('steps', 4);
  const seed = arg('seed', Date.now() % 2_147_483_647);
  const until = Date.now() + minutes * 60_000;
  let runs = 0;
  let totalSteps = 0;
  const failures: string[] = [];
  let broken = 0;
  let residual = 0;
  for (let batch = 0; Date.now() < until; batch++) {
    const histories = fc.sample(historyArbitrary(steps), { numRuns: parallel * 4, seed: seed + batch });
    const failed: number[] = [];
    const r = await runHistories(histories, parallel, (index, error) => {
      if (!error) return;
      failed.push(index);
      broken++;
      failures.push(`seed ${seed + batch}, history #${index}: ${error.message}\n  history: ${JSON.stringify(histories[index])}`);
    });
    for (const index of failed) {
      process.stderr.write(`soak: shrinking history #${index} of seed ${seed + batch}\n`);
      const small = await shrinkHistory(seed + batch, index, steps, 180_000);
      failures.push(small
        ? `seed ${seed + batch}, history #${index}, shrunk (${small.shrinks} shrinks): ${small.message}\n  history: ${JSON.stringify(small.history)}`
        : `seed ${seed + batch}, history #${index} did not fail again when run alone (it depends on timing)`);
    }
    residual += r.residuals.length;
    for (const x of r.residuals) failures.push(`seed ${seed + batch}, history #${x.index} ended at a limit the README states: ${x.message}`);
    runs += histories.length;
    totalSteps += r.steps;
    process.stderr.write(`soak: ${runs} histories, ${totalSteps} steps run clean or checked, ${broken} failed, ${residual} ended at a limit the README states (seed ${seed})\n`);
  }
  process.stdout.write(`${runs} histories (${totalSteps} steps) in ${minutes} min from seed ${seed}: ${broken === 0 ? 'every invariant held' : `${broken} failed`}, ${residual} ended at a limit the README states\n`);
  for (const f of failures) process.stdout.write(`\n${f}\n`);
  return broken === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`soak failed: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 3;
  },
);
