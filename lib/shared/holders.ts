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
import { wabaAccountId } from './contract';

/** Environment variable of the provider function holding the map. */
export const HOLDERS_ENV = 'WHATSAPP_FLOW_HOLDERS';

/** Bytes the packed map may take before base64 (about 3.5 KB of environment). */
const MAX_PACKED_BYTES = 2600;
/** Bytes of the logical id's hash in each record. */
const DECLARER_BYTES = 2;

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

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The record key of a flow: a digest of its WABA (by account id) and name. */
function flowNameDigest(wabaId: string, flowName: string): Buffer {
  return digest(`${wabaAccountId(wabaId)}\n${flowName}`);
}

/** Packs the declared flows of a template (at most about 490). */
export function encodeHolders(flows: readonly DeclaredFlow[]): string {
  const n = flows.length;
  let nameBytes = 8;
  while (nameBytes > 3 && n * (nameBytes + DECLARER_BYTES) + 1 > MAX_PACKED_BYTES) nameBytes--;
  if (n * (nameBytes + DECLARER_BYTES) + 1 > MAX_PACKED_BYTES) {
    throw new Error(`${n} flows are more than one provider can track (at most ${Math.floor((MAX_PACKED_BYTES - 1) / (3 + DECLARER_BYTES))}); split the flows across stacks`);
  }
  const records = flows
    .map((f) => Buffer.concat([flowNameDigest(f.wabaId, f.flowName).subarray(0, nameBytes), declarerDigest(f.logicalId, f.adopts)]))
    .sort(Buffer.compare);
  return Buffer.concat([Buffer.from([nameBytes]), ...records]).toString('base64');
}

/**
 * Who declares the flow of this WABA and name in the map, from the point of view of the resource
 * `logicalId`. An unreadable map names nobody.
 */
export function declarer(encoded: string | undefined, wabaId: string, flowName: string, logicalId: string): Declarer {
  if (!encoded) return 'none';
  const packed = Buffer.from(encoded, 'base64');
  const nameBytes = packed[0];
  if (!(nameBytes >= 3 && nameBytes <= 8) || (packed.length - 1) % (nameBytes + DECLARER_BYTES) !== 0) return 'none';
  const record = flowNameDigest(wabaId, flowName).subarray(0, nameBytes);
  const me = declarerDigest(logicalId, false);
  let found: Declarer = 'none';
  for (let at = 1; at < packed.length; at += nameBytes + DECLARER_BYTES) {
    if (!packed.subarray(at, at + nameBytes).equals(record)) continue;
    const holder = Buffer.from(packed.subarray(at + nameBytes, at + nameBytes + DECLARER_BYTES));
    const adopts = (holder[0] & 0x80) !== 0;
    holder[0] &= 0x7f;
    if (!holder.equals(me)) return adopts ? 'adopter' : 'another';
    found = 'this';
  }
  return found;
}

/** The declaring resource's record: its logical id's digest, the top bit telling whether it adopts. */
function declarerDigest(logicalId: string, adopts: boolean): Buffer {
  const h = Buffer.from(digest(logicalId).subarray(0, DECLARER_BYTES));
  h[0] = (h[0] & 0x7f) | (adopts ? 0x80 : 0);
  return h;
}
