/**
 * The emulator's state (flows, known WABAs, S3 objects, id generator) and its file persistence.
 */
import { createHash, randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { dirname } from 'path';

/** A flow as stored. */
export interface StoredFlow {
  /** Creation order, used for list order and pagination cursors. */
  seq: number;
  wabaId: string;
  flowId: string;
  flowName: string;
  categories: string[];
  status: string;
  json?: Buffer;
  /** Top-level `version` of the JSON when it is a string of 1..10 characters. */
  jsonVersion?: string;
  validationErrors: string[];
  preview?: { url: string; expiresAt: string };
  endpointUri?: string;
  dataApiVersion?: string;
}

/** An S3 object as stored. */
export interface StoredObject {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: string;
}

const FORMAT = 'whatsapp-flow-emulator/1';

interface PersistedState {
  format: string;
  idSeed: string;
  idCounter: number;
  seq: number;
  wabas: string[];
  flows: Array<Omit<StoredFlow, 'json'> & { json?: string }>;
  objects: Array<Omit<StoredObject, 'body'> & { bucket: string; key: string; body: string }>;
}

/** One change of a flow, as the emulator's history records it. */
export interface FlowChange {
  readonly flowId: string;
  readonly wabaId: string;
  readonly flowName: string;
  /** The status after the change; DELETED when the flow was deleted. */
  readonly status: string;
  /** The access key id of the call that made the change; undefined out of band (seedFlow, setStatus, …). */
  readonly caller?: string;
  /** Whether the change created the flow. */
  readonly created: boolean;
}

export class Store {
  readonly flows = new Map<string, StoredFlow>();
  readonly wabas = new Set<string>();
  /** bucket -> key -> object */
  readonly objects = new Map<string, Map<string, StoredObject>>();
  idCounter = 0;
  seq = 0;
  /** Set by every mutation; the emulator writes the state file and clears it. */
  dirty = false;
  /** Every change of a flow's existence, status or name since the emulator started (not persisted). */
  readonly history: FlowChange[] = [];
  /** Who makes the changes being applied now (the caller's access key id), for the history. */
  caller: string | undefined;
  private readonly seen = new Map<string, { status: string; flowName: string }>();

  constructor(readonly idSeed: string) {}

  /** A new random-looking 16-digit flow id, deterministic for a given seed. */
  nextFlowId(): string {
    for (;;) {
      const h = createHash('sha256').update(`${this.idSeed}:${this.idCounter++}`).digest();
      const id = ((h.readBigUInt64BE(0) % 9_000_000_000_000_000n) + 1_000_000_000_000_000n).toString();
      if (!this.flows.has(id)) {
        this.dirty = true;
        return id;
      }
    }
  }

  nextSeq(): number {
    this.dirty = true;
    return ++this.seq;
  }

  putFlow(flow: StoredFlow): void {
    const before = this.seen.get(flow.flowId);
    if (!before || before.status !== flow.status || before.flowName !== flow.flowName) {
      this.history.push({ flowId: flow.flowId, wabaId: flow.wabaId, flowName: flow.flowName, status: flow.status, caller: this.caller, created: !before });
      this.seen.set(flow.flowId, { status: flow.status, flowName: flow.flowName });
    }
    this.flows.set(flow.flowId, flow);
    this.dirty = true;
  }

  deleteFlow(flowId: string): boolean {
    const flow = this.flows.get(flowId);
    if (flow) this.history.push({ flowId, wabaId: flow.wabaId, flowName: flow.flowName, status: 'DELETED', caller: this.caller, created: false });
    this.seen.delete(flowId);
    const had = this.flows.delete(flowId);
    if (had) this.dirty = true;
    return had;
  }

  addWaba(wabaId: string): void {
    if (!this.wabas.has(wabaId)) {
      this.wabas.add(wabaId);
      this.dirty = true;
    }
  }

  getObject(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(bucket)?.get(key);
  }

  putObject(bucket: string, key: string, body: Buffer, contentType = 'application/octet-stream'): StoredObject {
    const obj: StoredObject = {
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      contentType,
      lastModified: new Date().toUTCString(),
    };
    let b = this.objects.get(bucket);
    if (!b) this.objects.set(bucket, (b = new Map()));
    b.set(key, obj);
    this.dirty = true;
    return obj;
  }

  clear(): void {
    this.history.length = 0;
    this.seen.clear();
    this.flows.clear();
    this.wabas.clear();
    this.objects.clear();
    this.dirty = true;
  }

  /** Writes the whole state atomically: a temporary file in the same folder, then rename. */
  save(file: string): void {
    const data: PersistedState = {
      format: FORMAT,
      idSeed: this.idSeed,
      idCounter: this.idCounter,
      seq: this.seq,
      wabas: [...this.wabas],
      flows: [...this.flows.values()].map(({ json, ...rest }) => ({ ...rest, ...(json ? { json: json.toString('base64') } : {}) })),
      objects: [...this.objects].flatMap(([bucket, keys]) =>
        [...keys].map(([key, { body, ...rest }]) => ({ bucket, key, ...rest, body: body.toString('base64') }))),
    };
    const tmp = `${file}.${process.pid}.tmp`;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, file);
    this.dirty = false;
  }

  /** Loads `file` when it exists, else a fresh store seeded with `idSeed`. */
  static load(file: string | undefined, idSeed: string | undefined): Store {
    if (file === undefined || !existsSync(file)) return new Store(idSeed ?? randomBytes(8).toString('hex'));
    let data: PersistedState;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
    } catch (e) {
      throw new Error(`emulator state file ${file} is not valid JSON (${(e as Error).message}); delete it to start empty`, { cause: e });
    }
    if (data.format !== FORMAT) {
      throw new Error(`emulator state file ${file} has format ${JSON.stringify(data.format)}, expected ${FORMAT}; delete it to start empty`);
    }
    const store = new Store(data.idSeed);
    store.idCounter = data.idCounter;
    store.seq = data.seq;
    for (const w of data.wabas) store.wabas.add(w);
    for (const { json, ...rest } of data.flows) {
      store.flows.set(rest.flowId, { ...rest, ...(json !== undefined ? { json: Buffer.from(json, 'base64') } : {}) });
    }
    for (const { bucket, key, body, ...rest } of data.objects) {
      let b = store.objects.get(bucket);
      if (!b) store.objects.set(bucket, (b = new Map()));
      b.set(key, { ...rest, body: Buffer.from(body, 'base64') });
    }
    return store;
  }
}
