/**
 * An emulator of the service for the tests of one file: started once, closed at the end, and
 * reset to no flows and its default behaviour before each test.
 */
import { FlowEmulator } from '../../local/emulator';

export function useEmulator(options: Parameters<typeof FlowEmulator.start>[0] = {}): { readonly emulator: FlowEmulator } {
  const h: { emulator: FlowEmulator } = {} as never;
  beforeAll(async () => {
    h.emulator = await FlowEmulator.start(options);
  });
  afterAll(async () => {
    await h.emulator?.close();
  });
  beforeEach(() => {
    h.emulator.reset();
    h.emulator.configure({ ...FlowEmulator.defaults });
  });
  return h;
}
