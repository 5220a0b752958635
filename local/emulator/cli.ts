/**
 * Runs the emulator until SIGINT/SIGTERM:
 *
 *   npx tsx local/emulator/cli.ts --port 4010 [--state file] [--latency-ms N] [--rps N] [--burst N]
 *     [--id-seed S] [--known-waba ID]... [--allowed-waba ID]... [--set option=value]...
 *
 * Prints the endpoint alone on stdout (for scripts); everything else goes to stderr.
 */
import { DEFAULT_BEHAVIOUR, FlowEmulator, FlowEmulatorOptions } from './index';

const USAGE = `usage: tsx local/emulator/cli.ts [--port N] [--state FILE] [--latency-ms N] [--rps N] [--burst N]
  [--id-seed S] [--known-waba ID]... [--allowed-waba ID]... [--set OPTION=VALUE]...
behaviour options for --set: ${Object.keys(DEFAULT_BEHAVIOUR).join(', ')}`;

function number(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new Error(`${flag} needs a non-negative number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Turns command-line arguments into emulator options. Throws on anything it does not know. */
export function parseCliArgs(argv: readonly string[]): FlowEmulatorOptions {
  const opts: Record<string, unknown> = { port: 4010 };
  const known: string[] = [];
  const allowed: string[] = [];
  let rps: number | undefined;
  let burst: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': opts.port = number(flag, value()); break;
      case '--state': opts.stateFile = value(); break;
      case '--latency-ms': opts.latencyMs = number(flag, value()); break;
      case '--rps': rps = number(flag, value()); break;
      case '--burst': burst = number(flag, value()); break;
      case '--id-seed': opts.idSeed = value(); break;
      case '--known-waba': known.push(value()); break;
      case '--allowed-waba': allowed.push(value()); break;
      case '--set': {
        const [key, ...rest] = value().split('=');
        const raw = rest.join('=');
        const current = (DEFAULT_BEHAVIOUR as Record<string, unknown>)[key];
        if (current === undefined || rest.length === 0) throw new Error(`--set needs OPTION=VALUE with OPTION one of ${Object.keys(DEFAULT_BEHAVIOUR).join(', ')}; got ${JSON.stringify(key)}`);
        if (typeof current === 'boolean') {
          if (raw !== 'true' && raw !== 'false') throw new Error(`--set ${key} needs true or false, got ${JSON.stringify(raw)}`);
          opts[key] = raw === 'true';
        } else if (typeof current === 'number') {
          opts[key] = number(`--set ${key}`, raw);
        } else {
          opts[key] = raw;
        }
        break;
      }
      default:
        throw new Error(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  if (burst !== undefined && rps === undefined) throw new Error('--burst needs --rps');
  if (rps !== undefined) opts.rateLimit = { requestsPerSecond: rps, ...(burst !== undefined ? { burst } : {}) };
  if (known.length > 0) opts.knownWabas = known;
  if (allowed.length > 0) opts.allowedWabas = allowed;
  return opts as FlowEmulatorOptions;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  let options: FlowEmulatorOptions;
  try {
    options = parseCliArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await FlowEmulator.start(options);
  process.stdout.write(`${emulator.endpoint}\n`);
  process.stderr.write(`WhatsApp Flows + S3 emulator listening on ${emulator.endpoint}${options.stateFile ? `, state in ${options.stateFile}` : ''}; Ctrl-C stops it\n`);
  const stop = (): void => {
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
