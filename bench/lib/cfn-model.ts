/**
 * CloudFormation's side of a deploy of N flows, with the parallelism the local deploy engine
 * (bin/local/engine.ts, one event at a time) does not model: independent resources get their
 * events at the same time, at most `parallelism` in flight, each in a Lambda container of its own
 * (Lambda starts a container per concurrent invocation and reuses idle ones).
 *
 * Events are made from the synthesized template with the local deploy's own resolver
 * (bin/local/template.ts), sent through the local Lambda host (emulator/lambda-host.ts).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { FlowEmulator } from '../../emulator';
import { CustomResourceOutcome, LambdaContainer, LambdaFunctionConfig, ResponseServer, sendCustomResourceEvent } from '../../emulator/lambda-host';
import { fillPlaceholders, SynthesizedStack } from '../../bin/local/assembly';
import { asEventProperties, creationOrder, directDependencies, LocalEnvironment, resolve, ResolveContext, Template } from '../../bin/local/template';
import { ACCOUNT, REGION } from './context';
import { now } from './stats';

export const ENV: LocalEnvironment = {
  partition: 'aws',
  region: REGION,
  accountId: ACCOUNT,
  stackName: 'BenchFlows',
  stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/BenchFlows/${randomUUID()}`,
};

/** Stand-in values for resources that are not deployed locally (as the local deploy makes them). */
function context(template: Template): ResolveContext {
  return {
    env: ENV,
    template,
    ref: (id) => `${ENV.stackName}-${id}`,
    getAtt: (id, attribute) => {
      const type = template.Resources?.[id]?.Type;
      if (attribute === 'Arn' && type === 'AWS::Lambda::Function') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${ENV.stackName}-${id}`;
      return `${ENV.stackName}-${id}.${attribute}`;
    },
  };
}

/** The flow resources of a template in creation order, with their properties as events carry them. */
export function flowResources(template: Template, type: string): Array<{ id: string; props: Record<string, unknown> }> {
  const resources = template.Resources ?? {};
  const order = creationOrder(directDependencies(resources as any));
  const ctx = context(template);
  return order.filter((id) => resources[id].Type === type).map((id) => ({ id, props: asEventProperties(resolve(resources[id].Properties ?? {}, ctx)) as Record<string, unknown> }));
}

/** The configuration Lambda would run the flows' function with, from the template and the assembly. */
export function functionConfig(stack: SynthesizedStack, functionId: string, codeDir?: string): LambdaFunctionConfig {
  const r = stack.template.Resources![functionId];
  const p = resolve(r.Properties ?? {}, context(stack.template)) as any;
  let dir = codeDir;
  if (!dir) {
    const key = p.Code?.S3Key;
    const asset = stack.assets.find((a) => a.packaging === 'zip' && a.destinations.some((d) => fillPlaceholders(d.objectKey, ENV) === key));
    if (!asset) throw new Error(`the code of ${functionId} is not a folder asset of the assembly`);
    dir = asset.source;
  }
  const variables = (p.Environment?.Variables ?? {}) as Record<string, unknown>;
  return {
    codeDir: dir,
    handler: typeof p.Handler === 'string' ? p.Handler : 'index.handler',
    environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    timeoutMs: (Number(p.Timeout) || 3) * 1000,
    memoryMb: Number(p.MemorySize) || 128,
    functionName: `${ENV.stackName}-${functionId}`,
    runtime: p.Runtime,
    region: REGION,
  };
}

/** The function that serves a flow resource (its ServiceToken's target). */
export function serviceFunctionId(template: Template, flowType: string): string {
  for (const r of Object.values(template.Resources ?? {})) {
    if (r.Type !== flowType) continue;
    const token = (r.Properties as any)?.ServiceToken;
    if (token && Array.isArray(token['Fn::GetAtt'])) return String(token['Fn::GetAtt'][0]);
  }
  throw new Error(`no ${flowType} resource with a ServiceToken of this template`);
}

/** Uploads the stack's file assets that the template uses into the emulator's S3, as cdk deploy does first. */
export function uploadAssets(stack: SynthesizedStack, emulator: FlowEmulator): number {
  const text = JSON.stringify(stack.template);
  let n = 0;
  for (const asset of stack.assets) {
    if (asset.packaging !== 'file' || path.resolve(asset.source) === path.resolve(stack.templateFile)) continue;
    for (const d of asset.destinations) {
      const key = fillPlaceholders(d.objectKey, ENV);
      if (!text.includes(key)) continue;
      emulator.putObject(fillPlaceholders(d.bucketName, ENV), key, fs.readFileSync(asset.source), 'application/json');
      n++;
    }
  }
  return n;
}

/** Containers of one function: an idle one is reused, otherwise a new one starts (a cold start). */
export class ContainerPool {
  private readonly idle: LambdaContainer[] = [];
  private readonly all: LambdaContainer[] = [];
  constructor(private readonly config: LambdaFunctionConfig) {}

  get started(): number {
    return this.all.length;
  }

  take(): LambdaContainer {
    const c = this.idle.pop();
    if (c) return c;
    const fresh = new LambdaContainer(this.config);
    this.all.push(fresh);
    return fresh;
  }

  give(c: LambdaContainer): void {
    this.idle.push(c);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((c) => c.stop()));
    this.all.length = 0;
    this.idle.length = 0;
  }
}

export interface EventSpec {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

export interface SentEvent {
  readonly spec: EventSpec;
  readonly outcome: CustomResourceOutcome;
}

/**
 * Sends the events with at most `parallelism` in flight, as CloudFormation works through
 * independent resources, and returns every outcome with the wall time of the whole phase.
 */
export async function sendAll(
  events: readonly EventSpec[],
  pool: ContainerPool,
  responses: ResponseServer,
  options: { parallelism: number; serviceTimeoutMs: number; deadlineMs: number },
): Promise<{ sent: SentEvent[]; wallMs: number }> {
  const t0 = now();
  const sent: SentEvent[] = new Array(events.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const spec = events[i];
      if (now() - t0 > options.deadlineMs) {
        sent[i] = { spec, outcome: { status: 'FAILED', reason: 'not sent: the benchmark phase ran out of time', data: {}, puts: 0, durationMs: 0, event: undefined as any } };
        continue;
      }
      const container = pool.take();
      try {
        const token = String(spec.ResourceProperties.ServiceToken ?? '');
        const outcome = await sendCustomResourceEvent(
          container,
          responses,
          { ...spec, ServiceToken: token, StackId: ENV.stackId, RequestId: randomUUID() },
          { serviceTimeoutMs: options.serviceTimeoutMs },
        );
        sent[i] = { spec, outcome };
      } finally {
        pool.give(container);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallelism, events.length)) }, worker));
  return { sent, wallMs: now() - t0 };
}

/** The wrapper that runs aws-cdk-lib's AwsCustomResource handler locally (its answer goes to https:443 otherwise). */
export function writeDiyHandler(dir: string): string {
  // Not exported by aws-cdk-lib's package.json: found by its path.
  const inner = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `'use strict';
// aws-cdk-lib's AwsCustomResource handler, unchanged, with its response PUT (https, no port)
// sent to the local ResponseURL instead. The SDK client comes from the repository's node_modules.
const http = require('http');
const https = require('https');
let port;
const original = https.request;
https.request = function (options, callback) {
  if (options && options.hostname === '127.0.0.1') return http.request({ ...options, port }, callback);
  return original.apply(this, arguments);
};
const inner = require(${JSON.stringify(inner)});
exports.handler = async (event, context) => {
  port = new URL(event.ResponseURL).port;
  if (event.ResourceProperties && event.ResourceProperties.InstallLatestAwsSdk === 'true') throw new Error('the benchmark never installs packages');
  return inner.handler(event, context);
};
`,
  );
  return dir;
}
