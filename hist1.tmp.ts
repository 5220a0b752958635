import fc from 'fast-check';
import { historyArbitrary, runHistory } from './test/support/histories';
process.env.CDK_VALIDATION = 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
(async () => {
  const steps = Number(process.env.HISTORY_STEPS ?? 4);
  const samples = fc.sample(historyArbitrary(steps), { numRuns: Number(process.argv[3]) + 1, seed: Number(process.argv[2]) });
  const h = samples[Number(process.argv[3])];
  console.log(JSON.stringify(h));
  try { await runHistory(h, { log: (l) => console.log(l) }); console.log('ok'); } catch (e) { console.log('FAIL', (e as Error).message); }
})();
