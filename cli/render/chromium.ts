/**
 * A headless Chromium, driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`): no
 * port, no WebSocket, no dependency. Used for `render --png` and `diff --images`, and by the tests
 * that look at the pages as a person would. Only a Chromium already installed is used; none is
 * ever downloaded.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable, Writable } from 'stream';
import { pathToFileURL } from 'url';

/** Names of a Chromium on the PATH, in the order they are tried. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
/** The environment variable that names a Chromium explicitly. */
export const CHROMIUM_ENV = 'WHATSAPP_FLOW_CHROMIUM';
/** How long one protocol command may take. */
const COMMAND_TIMEOUT_MS = 60_000;

/** Flags for a headless run that talks to nothing but us (without the networking ones it calls Google's hosts). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--metrics-recording-only',
  '--mute-audio',
  '--hide-scrollbars',
  '--remote-debugging-pipe',
];

/**
 * The Chromium to use: `$WHATSAPP_FLOW_CHROMIUM`, else the first of chromium, chromium-browser,
 * google-chrome… on the PATH. Undefined when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[CHROMIUM_ENV];
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of NAMES) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Why no Chromium was found, and what to do: one line. */
export function noChromiumMessage(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[CHROMIUM_ENV];
  if (explicit) return `${CHROMIUM_ENV} is ${JSON.stringify(explicit)}, which is not an executable file`;
  return `no Chromium found (looked for ${NAMES.join(', ')} on the PATH, and ${CHROMIUM_ENV}); install one (Debian, Ubuntu: apt-get install chromium) or set ${CHROMIUM_ENV}; none is ever downloaded`;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly method: string;
}

/** A running headless Chromium. */
export class Chromium {
  /** Starts the Chromium at `executable` with a fresh profile folder (removed on close). */
  public static async launch(executable: string): Promise<Chromium> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-chromium-'));
    const child = spawn(executable, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const browser = new Chromium(child, profile);
    try {
      await browser.send('Browser.getVersion');
    } catch (e) {
      await browser.close();
      throw e;
    }
    return browser;
  }

  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(message: Record<string, unknown>) => void>();
  private nextId = 0;
  private buffer = Buffer.alloc(0);
  private stderr = '';
  private exited: string | undefined;
  private readonly exit: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly profile: string) {
    const input = child.stdio[4] as Readable;
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    (child.stderr as Readable).on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    this.exit = new Promise((resolve) => {
      const done = (why: string) => {
        if (this.exited === undefined) this.exited = why;
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`Chromium ${why} during ${p.method}${this.stderrTail()}`));
        }
        this.pending.clear();
        resolve();
      };
      child.on('exit', (code, signal) => done(signal ? `was stopped by ${signal}` : `exited with code ${code}`));
      child.on('error', (e) => done(`could not start (${e.message})`));
    });
  }

  /** Sends one protocol command and waits for its result. */
  public send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited !== undefined) return Promise.reject(new Error(`Chromium ${this.exited}${this.stderrTail()}`));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Chromium did not answer ${method} within ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer, method });
      (this.child.stdio[3] as Writable).write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  /** Opens a tab of the given viewport size. */
  public async newPage(width = 1280, height = 900): Promise<Page> {
    const target = await this.send('Target.createTarget', { url: 'about:blank' });
    const attached = await this.send('Target.attachToTarget', { targetId: target.targetId, flatten: true });
    const page = new Page(this, String(attached.sessionId), String(target.targetId));
    await this.send('Page.enable', {}, page.sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, page.sessionId);
    return page;
  }

  /** Waits for the next event `method` of a tab. */
  public waitFor(sessionId: string, method: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`Chromium sent no ${method} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const listener = (m: Record<string, unknown>) => {
        if (m.sessionId === sessionId && m.method === method) {
          clearTimeout(timer);
          this.listeners.delete(listener);
          resolve((m.params ?? {}) as Record<string, unknown>);
        }
      };
      this.listeners.add(listener);
    });
  }

  /** Closes the browser and removes its profile folder. */
  public async close(): Promise<void> {
    if (this.exited === undefined) {
      const gone = this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await Promise.race([gone, this.exit]);
      await this.exit;
      clearTimeout(timer);
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end: number;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(this.buffer.subarray(0, end).toString('utf8')) as Record<string, unknown>;
      this.buffer = this.buffer.subarray(end + 1);
      const id = typeof message.id === 'number' ? message.id : undefined;
      const pending = id !== undefined ? this.pending.get(id) : undefined;
      if (pending) {
        this.pending.delete(id!);
        clearTimeout(pending.timer);
        const error = message.error as { message?: string } | undefined;
        if (error) pending.reject(new Error(`Chromium refused ${pending.method}: ${error.message ?? JSON.stringify(error)}`));
        else pending.resolve((message.result ?? {}) as Record<string, unknown>);
      } else if (typeof message.method === 'string') {
        for (const l of [...this.listeners]) l(message);
      }
    }
  }

  private stderrTail(): string {
    const lines = this.stderr.split('\n').filter((l) => l.trim() !== '' && !/dbus|Failed to connect to the bus/.test(l));
    return lines.length > 0 ? `: ${lines.slice(-3).join(' | ')}` : '';
  }
}

/** A box on the page, in CSS pixels from the top left of the document. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One tab. */
export class Page {
  constructor(private readonly browser: Chromium, public readonly sessionId: string, private readonly targetId: string) {}

  /** Loads a URL (a file:// URL of a page we wrote) and waits until it and its fonts are loaded. */
  public async goto(url: string): Promise<void> {
    const loaded = this.browser.waitFor(this.sessionId, 'Page.loadEventFired');
    const result = await this.browser.send('Page.navigate', { url }, this.sessionId);
    if (typeof result.errorText === 'string') throw new Error(`Chromium could not open ${url}: ${result.errorText}`);
    await loaded;
    await this.evaluate('document.fonts.ready.then(() => true)');
  }

  /** Sets the window's size in CSS pixels. */
  public async resize(width: number, height: number): Promise<void> {
    await this.browser.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, this.sessionId);
  }

  /** The value of a JavaScript expression in the page (promises awaited), as JSON. */
  public async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.browser.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId);
    const exception = r.exceptionDetails as { text?: string; exception?: { description?: string } } | undefined;
    if (exception) throw new Error(`the page failed to evaluate ${expression.slice(0, 60)}: ${exception.exception?.description ?? exception.text}`);
    return (r.result as { value: T }).value;
  }

  /** The boxes of the elements a selector matches, in document coordinates, with their id and screen id. */
  public boxes(selector: string): Promise<Array<Box & { id: string; screen?: string }>> {
    return this.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => { const r = e.getBoundingClientRect();
      return { id: e.id, screen: e.dataset.screen, x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height }; })`);
  }

  /** A PNG of the page, or of one box of it. */
  public async screenshot(box?: Box): Promise<Buffer> {
    const clip = box ? { clip: { x: Math.max(0, Math.floor(box.x)), y: Math.max(0, Math.floor(box.y)), width: Math.ceil(box.width), height: Math.ceil(box.height), scale: 1 } } : {};
    const r = await this.browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, ...clip }, this.sessionId);
    return Buffer.from(String(r.data), 'base64');
  }

  public async close(): Promise<void> {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }
}

/**
 * PNGs of the elements a selector matches on a page we wrote, with each element's id and screen id:
 * the screens (`.screen`) and the map (`.map`) of a flow's page.
 */
export async function elementPngs(page: Page, file: string, selector: string): Promise<Array<{ id: string; screen?: string; png: Buffer }>> {
  await page.goto(pathToFileURL(path.resolve(file)).href);
  // A map wider than the window scrolls in its frame: let it show whole for the picture.
  await page.evaluate("document.querySelectorAll('.map-wrap').forEach((e) => { e.style.overflow = 'visible'; e.style.width = 'max-content'; }), true");
  const out: Array<{ id: string; screen?: string; png: Buffer }> = [];
  for (const box of await page.boxes(selector)) {
    if (box.width < 1 || box.height < 1) continue;
    out.push({ id: box.id, screen: box.screen, png: await page.screenshot(box) });
  }
  return out;
}
