/** Runs one deploy case of the benchmark (sections/deploy.ts) in a process of its own. */
import { DeployCase, DeployCaseResult, runDeployCase } from '../sections/deploy';

if (process.send) {
  process.on('message', (input: DeployCase) => {
    runDeployCase(input, (m) => process.stderr.write(`  [deploy worker] ${m}\n`)).then(
      (r) => process.send!(r),
      (e) => process.send!({ results: [], error: String((e as Error)?.stack ?? e) } satisfies DeployCaseResult),
    );
  });
  process.send({ ready: true });
}
