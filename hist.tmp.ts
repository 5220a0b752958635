import fc from 'fast-check';
import { historyArbitrary, runHistory } from './test/support/histories';
process.env.CDK_VALIDATION = 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
(async () => {
  const n = Number(process.argv[2] ?? 3);
  const par = Number(process.argv[4] ?? 1);
  const samples = fc.sample(historyArbitrary(Number(process.env.HISTORY_STEPS ?? 4)), { numRuns: n, seed: Number(process.argv[3] ?? 1) });
  const t0 = Date.now();
  let ok = 0, fail = 0, next = 0;
  const times: number[] = [];
  const worker = async () => {
    while (next < samples.length) {
      const i = next++;
      const t = Date.now();
      try { await runHistory(samples[i]); ok++; } catch (e) { fail++; console.log(`FAIL #${i}`, (e as Error).message.split('\n').slice(0, 6).join('\n')); }
      times.push(Date.now() - t);
    }
  };
  await Promise.all(Array.from({ length: par }, worker));
  times.sort((a, b) => a - b);
  console.log(`ok ${ok} fail ${fail} total ${Date.now() - t0} ms; median ${times[Math.floor(times.length / 2)]} p90 ${times[Math.floor(times.length * 0.9)]} max ${times[times.length - 1]}`);
})();
