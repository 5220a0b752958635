/**
 * Shared fixtures of the emulator tests: WABA ids in both forms, Flow JSON documents and SDK
 * clients pointed at an emulator over 127.0.0.1.
 */
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { FlowEmulator } from '../../../local/emulator';
import { useEmulator } from '../../support/emulator';

export const WABA_HEX = '0123456789abcdef0123456789abcdef';
export const WABA = `waba-${WABA_HEX}`;
export const WABA_ARN = `arn:aws:social-messaging:us-east-1:123456789012:waba/${WABA_HEX}`;
export const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';

/** A minimal publishable static flow. */
export function validFlow(version = '7.3'): Record<string, unknown> {
  return {
    version,
    screens: [
      {
        id: 'WELCOME',
        title: 'Welcome',
        terminal: true,
        layout: {
          type: 'SingleColumnLayout',
          children: [{ type: 'Footer', label: 'Done', 'on-click-action': { name: 'complete', payload: {} } }],
        },
      },
    ],
  };
}

/** UTF-8 bytes of a document, as the SDK wants a blob. */
export function bytes(doc: unknown): Uint8Array {
  return Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc), 'utf8');
}

/** A client without retries (unless asked), so each send is exactly one call. */
export function client(emulator: FlowEmulator, maxAttempts = 1): SocialMessagingClient {
  return new SocialMessagingClient({ endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts });
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, any>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * An emulator for this test file (test/support/emulator.ts) and a client of it.
 */
export function useEmulatorAndClient(options: Parameters<typeof FlowEmulator.start>[0] = {}): { readonly emu: FlowEmulator; readonly sm: SocialMessagingClient } {
  const service = useEmulator(options);
  const h = { get emu() { return service.emulator; }, sm: undefined as unknown as SocialMessagingClient };
  beforeAll(() => {
    h.sm = client(service.emulator);
  });
  afterAll(() => {
    h.sm?.destroy();
  });
  return h;
}
