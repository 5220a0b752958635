/**
 * Who holds an adopted flow, as the provider's environment tells the handler.
 *
 * When a construct with `adoptExisting` takes over a flow that another resource of the stack
 * held (a construct or logical id changed), CloudFormation then sends Delete for the old
 * resource with the same flow id. The provider's environment, updated before that cleanup,
 * maps each adopted (WABA, name) to the logical id of the resource that holds it, so the old
 * resource's Delete leaves the flow alone. Shared by the construct (writes) and the handler (reads).
 */
import { createHash } from 'crypto';

/** Environment variable of the provider function holding the map. */
export const ADOPTIONS_ENV = 'WHATSAPP_FLOW_ADOPTIONS';

function digest(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/** The account part of a WABA id or ARN: `waba-abc` and `arn:…:waba/abc` name the same WABA. */
export function wabaKey(wabaId: string): string {
  if (wabaId.startsWith('waba-')) return wabaId.slice(5);
  const i = wabaId.lastIndexOf(':waba/');
  return i >= 0 ? wabaId.slice(i + 6) : wabaId;
}

/** Key of an adopted flow: its WABA and name (12 hex characters keep the variable small). */
export function adoptionKey(wabaId: string, flowName: string): string {
  return digest(`${wabaKey(wabaId)}\n${flowName}`, 12);
}

/** Value: the holder's logical id, shortened. */
export function holderKey(logicalId: string): string {
  return digest(logicalId, 8);
}
