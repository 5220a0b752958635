/**
 * Tests that look at pages in a real headless Chromium: run when one is installed (Debian's
 * `chromium`; .ci/run installs it when missing), otherwise registered as skipped with the reason
 * in their name (test/support/skip-reporter.js lists them at the end of the run). `npm test`
 * never installs or downloads a browser.
 */
import { Chromium, findChromium, noChromiumMessage } from '../../cli/render/chromium';

export const CHROMIUM = findChromium();
export const BROWSER_SKIP_REASON = `${noChromiumMessage()}; .ci/run installs one, npm test never does`.replace(/[[\]]/g, '');

/** A describe block that needs Chromium: skipped, with the reason in its name, when there is none. */
export function browserDescribe(name: string, fn: () => void): void {
  if (CHROMIUM) describe(name, fn);
  else describe.skip(`${name} [skipped: ${BROWSER_SKIP_REASON}]`, fn);
}

/** Starts the browser for a test file; closed by the returned function. */
export async function startBrowser(): Promise<Chromium> {
  return Chromium.launch(CHROMIUM!);
}
