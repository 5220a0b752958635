/**
 * Where the local deploy's events go: the provider functions' code in containers (one per
 * function configuration, kept warm for the run), answers on a local ResponseURL, the emulator's
 * simulated IAM set for each event, and the provider's log lines kept in the state folder.
 */
import * as fs from 'fs';
import { createHash } from 'crypto';
import type { FlowEmulator } from '../../emulator';
import {
  CustomResourceEvent, CustomResourceOutcome, LambdaContainer, LambdaFunctionConfig, ResponseServer, sendCustomResourceEvent,
} from '../../emulator/lambda-host';

/** The log keeps about this much of the latest lines. */
const MAX_LOG_BYTES = 1024 * 1024;

export interface RuntimeOptions {
  readonly emulator: FlowEmulator;
  /** Where the provider's log lines are appended. */
  readonly logFile: string;
  /** Also write each log line here (--verbose). */
  readonly echo?: (line: string) => void;
}

export class LocalRuntime {
  public static async start(options: RuntimeOptions): Promise<LocalRuntime> {
    trimLog(options.logFile);
    return new LocalRuntime(options, await ResponseServer.start());
  }

  private readonly containers = new Map<string, LambdaContainer>();

  private constructor(
    private readonly options: RuntimeOptions,
    private readonly responses: ResponseServer,
  ) {}

  /**
   * Sends one event to the function, with the emulator allowing only `allowedWabas`
   * (undefined: all), and waits for CloudFormation's view of the answer.
   */
  public async send(fn: LambdaFunctionConfig, event: CustomResourceEvent, serviceTimeoutMs: number, allowedWabas: string[] | undefined): Promise<CustomResourceOutcome> {
    this.options.emulator.setAllowedWabas(allowedWabas);
    const container = this.containerFor(fn);
    const outcome = await sendCustomResourceEvent(container, this.responses, event, { serviceTimeoutMs });
    const lines = (outcome.invocation?.logs ?? []).map((l) => JSON.stringify(l));
    if (lines.length > 0) {
      fs.appendFileSync(this.options.logFile, `${lines.join('\n')}\n`);
      for (const l of lines) this.options.echo?.(l);
    }
    return outcome;
  }

  public async close(): Promise<void> {
    this.options.emulator.setAllowedWabas(undefined);
    await Promise.all([...this.containers.values()].map((c) => c.stop()));
    this.containers.clear();
    await this.responses.close();
  }

  private containerFor(fn: LambdaFunctionConfig): LambdaContainer {
    // A new configuration (code, environment, limits) is a new function version: new containers.
    const key = createHash('sha256').update(JSON.stringify({ ...fn, endpoint: this.options.emulator.endpoint })).digest('hex');
    let c = this.containers.get(key);
    if (!c) {
      c = new LambdaContainer({ ...fn, endpoint: this.options.emulator.endpoint });
      this.containers.set(key, c);
    }
    return c;
  }
}

/** Keeps the newest half of the log once it outgrows its limit, cut at a line boundary. */
function trimLog(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size <= MAX_LOG_BYTES) return;
  const text = fs.readFileSync(file, 'utf8');
  const tail = text.slice(text.length - MAX_LOG_BYTES / 2);
  fs.writeFileSync(file, tail.slice(tail.indexOf('\n') + 1));
}
