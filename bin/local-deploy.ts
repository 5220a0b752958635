/**
 * `npm start`: deploys the example app (bin/app.ts) to the local emulator, as CloudFormation would
 * deploy it to AWS; `npm start -- --help` lists the options. The work is done in local/deploy/.
 */
import { main } from '../local/deploy/npm-start';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`local-deploy: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 3;
  },
);
