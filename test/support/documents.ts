/**
 * Flow JSON documents for tests and the benchmark:
 * - the project's own documents (test/fixtures/documents, with their verdicts), always there;
 * - a generated endpoint flow of more than 1 MB carrying real PNG images in base64;
 * - the optional corpus of third-party documents beside the repository (../shared/corpus/flows):
 *   its tests run when it is there and are reported as skipped, by name, when it is not.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CORPUS_DIR, CORPUS_PRESENT, CORPUS_SKIP_REASON } from './corpus-location';

export { CORPUS_DIR, CORPUS_PRESENT, CORPUS_SKIP_REASON };

export const OWN_DOCUMENTS_DIR = path.resolve(__dirname, '..', 'fixtures', 'documents');

/** A document by name and text. */
export interface NamedDocument {
  readonly name: string;
  readonly text: string;
}

/** The project's own documents, by file name. */
export function ownDocuments(): NamedDocument[] {
  return jsonFiles(OWN_DOCUMENTS_DIR).map((name) => ({ name, text: fs.readFileSync(path.join(OWN_DOCUMENTS_DIR, name), 'utf8') }));
}

/** The corpus's file names (empty when it is absent). */
export function corpusFileNames(): string[] {
  return CORPUS_PRESENT ? jsonFiles(CORPUS_DIR) : [];
}

/** One corpus document's path. */
export function corpusFile(name: string): string {
  return path.join(CORPUS_DIR, name);
}

/**
 * A test that needs the corpus: run when it is there, otherwise registered as skipped with the
 * reason in its name (test/support/skip-reporter.js lists it at the end of the run).
 */
export function corpusTest(name: string, fn: () => unknown, timeout?: number): void {
  if (CORPUS_PRESENT) test(name, fn as jest.ProvidesCallback, timeout);
  else test.skip(`${name} [skipped: ${CORPUS_SKIP_REASON}]`, () => undefined);
}

function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

// ---------------------------------------------------------------------------------------------
// A large generated document

/** The name the generated large document goes by in verdict files and reports. */
export const LARGE_IMAGE_DOCUMENT = 'generated:endpoint-v7.3-images.json';

/**
 * A v7.3 endpoint flow of at least `minBytes` (default 1.2 MB), almost all of it base64 PNG
 * images (each under Meta's recommended 300 KB, three per screen at most), with screen data,
 * a routing model and data_exchange actions. Deterministic: the same bytes on every call.
 */
export function largeImageFlow(minBytes = 1_200_000): string {
  const imageBytes = 250 * 1024;
  const perScreen = 3;
  const images = Math.ceil(minBytes / (imageBytes * 4 / 3));
  const screenCount = Math.max(2, Math.ceil(images / perScreen) + 1);
  const ids = Array.from({ length: screenCount }, (_, i) => (i === screenCount - 1 ? 'SUMMARY' : `GALLERY_${String.fromCharCode(65 + i)}`));
  let made = 0;
  const screens = ids.map((id, i) => {
    const terminal = i === screenCount - 1;
    const children: unknown[] = [{ type: 'TextHeading', text: terminal ? 'Your choice' : `Gallery ${i + 1}` }];
    if (!terminal) {
      for (let k = 0; k < perScreen && made < images; k++, made++) {
        children.push({ 'type': 'Image', 'src': pngBase64(imageBytes, made + 1), 'height': 200, 'scale-type': 'contain', 'alt-text': `Picture ${made + 1}` });
      }
      children.push({ type: 'TextBody', text: '${data.caption}' });
      children.push({ 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'data_exchange', payload: { screen: id } } });
    } else {
      children.push({ type: 'TextBody', text: '${data.caption}' });
      children.push({ 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } });
    }
    return {
      id,
      title: terminal ? 'Summary' : `Gallery ${i + 1}`,
      ...(terminal ? { terminal: true } : {}),
      data: { caption: { type: 'string', __example__: `Caption of screen ${i + 1}` } },
      layout: { type: 'SingleColumnLayout', children },
    };
  });
  const routing: Record<string, string[]> = {};
  ids.forEach((id, i) => (routing[id] = i < ids.length - 1 ? [ids[i + 1]] : []));
  return `${JSON.stringify({ version: '7.3', data_api_version: '3.0', routing_model: routing, screens }, undefined, 2)}\n`;
}

/** A real PNG of random pixels (so it does not compress) of about `bytes` bytes, as base64. */
export function pngBase64(bytes: number, seed: number): string {
  const width = 256;
  const height = Math.max(1, Math.floor(bytes / (width * 3)));
  let state = seed * 2654435761 >>> 0;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 1; x <= width * 3; x++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      raw[row + x] = state >>> 24;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return png.toString('base64');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
