/**
 * Which resource of the stack declares each flow, as the provider's environment tells the
 * handler. Shared by the construct (writes it) and the handler (reads it); Node built-ins only.
 *
 * The map is a property of the template: CloudFormation updates the function's environment with
 * the template, so a cleanup Delete (after an update) sees the new template's map and a rollback
 * cleanup Delete sees the old one. The handler uses it to tell whether a flow named in a Delete
 * is now declared by another resource of the stack (a construct or logical id changed and the
 * new resource adopted the flow), so that the Delete leaves it in place, and to never take a flow
 * that another resource declares.
 *
 * Lambda keeps a function's environment under 4 KB, and a stack can hold about 490 flows, so
 * the map is packed: one record per flow of (a hash of WABA and name, a hash of the logical id),
 * base64. Hash widths shrink as the number of flows grows; a collision can only make the handler
 * believe a flow is declared by another resource, which leaves the flow in place (never the
 * other way round).
 */
import { createHash } from 'crypto';

/** Environment variable of the provider function holding the map. */
export const HOLDERS_ENV = 'WHATSAPP_FLOW_HOLDERS';

/** Bytes the packed map may take before base64 (about 3.5 KB of environment). */
const MAX_PACKED_BYTES = 2600;
/** Bytes of the logical id's hash in each record. */
const HOLDER_BYTES = 2;

/** A flow a resource declares. */
export interface DeclaredFlow {
  readonly wabaId: string;
  readonly flowName: string;
  readonly logicalId: string;
  /** The resource takes over an existing flow of that name (adoptExisting). */
  readonly adopts: boolean;
}

/**
 * Whom the map names for a flow, relative to the asking resource: this one, another one that
 * takes over an existing flow of the name (so it may hold the flow the asking resource had), another
 * one that only creates, or none.
 */
export type Declarer = 'this' | 'adopter' | 'another' | 'none';

/** The account part of a WABA id or ARN: `waba-abc` and `arn:…:waba/abc` name the same WABA. */
export function wabaAccountId(wabaId: string): string {
  if (wabaId.startsWith('waba-')) return wabaId.slice(5);
  const i = wabaId.lastIndexOf(':waba/');
  return i >= 0 ? wabaId.slice(i + 6) : wabaId;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function flowKey(wabaId: string, flowName: string): Buffer {
  return digest(`${wabaAccountId(wabaId)}\n${flowName}`);
}

/** Packs the declared flows of a template (at most about 490). */
export function encodeHolders(flows: readonly DeclaredFlow[]): string {
  const n = flows.length;
  let keyBytes = 8;
  while (keyBytes > 3 && n * (keyBytes + HOLDER_BYTES) + 1 > MAX_PACKED_BYTES) keyBytes--;
  if (n * (keyBytes + HOLDER_BYTES) + 1 > MAX_PACKED_BYTES) {
    throw new Error(`${n} flows are more than one provider can track (at most ${Math.floor((MAX_PACKED_BYTES - 1) / (3 + HOLDER_BYTES))}); split the flows across stacks`);
  }
  const records = flows
    .map((f) => Buffer.concat([flowKey(f.wabaId, f.flowName).subarray(0, keyBytes), holderHash(f.logicalId, f.adopts)]))
    .sort(Buffer.compare);
  return Buffer.concat([Buffer.from([keyBytes]), ...records]).toString('base64');
}

/**
 * Who declares the flow of this WABA and name in the map, from the point of view of the resource
 * `logicalId`. An unreadable map names nobody.
 */
export function declarer(encoded: string | undefined, wabaId: string, flowName: string, logicalId: string): Declarer {
  if (!encoded) return 'none';
  const packed = Buffer.from(encoded, 'base64');
  const keyBytes = packed[0];
  if (!(keyBytes >= 3 && keyBytes <= 8) || (packed.length - 1) % (keyBytes + HOLDER_BYTES) !== 0) return 'none';
  const key = flowKey(wabaId, flowName).subarray(0, keyBytes);
  const me = holderHash(logicalId, false);
  let found: Declarer = 'none';
  for (let at = 1; at < packed.length; at += keyBytes + HOLDER_BYTES) {
    if (!packed.subarray(at, at + keyBytes).equals(key)) continue;
    const holder = Buffer.from(packed.subarray(at + keyBytes, at + keyBytes + HOLDER_BYTES));
    const adopts = (holder[0] & 0x80) !== 0;
    holder[0] &= 0x7f;
    if (!holder.equals(me)) return adopts ? 'adopter' : 'another';
    found = 'this';
  }
  return found;
}

/** The logical id's hash, its top bit telling whether the resource adopts. */
function holderHash(logicalId: string, adopts: boolean): Buffer {
  const h = Buffer.from(digest(logicalId).subarray(0, HOLDER_BYTES));
  h[0] = (h[0] & 0x7f) | (adopts ? 0x80 : 0);
  return h;
}
