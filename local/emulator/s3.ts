/**
 * The small part of S3 the handler needs: path-style GetObject / HeadObject / PutObject, with
 * errors as S3 XML so @aws-sdk/client-s3 raises its modeled exceptions (NoSuchKey).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'http';

/** Bucket and key of a path-style object URL, or undefined for bucket- or service-level paths. */
export function parseObjectPath(pathname: string): { bucket: string; key: string } | undefined {
  const m = /^\/([^/]+)\/(.+)$/s.exec(pathname);
  if (!m) return undefined;
  try {
    return { bucket: decodeURIComponent(m[1]), key: decodeURIComponent(m[2]) };
  } catch {
    return undefined;
  }
}

/** True when the body uses the `aws-chunked` framing (streaming uploads, trailing checksums). */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/**
 * Removes the `aws-chunked` framing: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` repeated,
 * ended by a zero-size chunk and optional trailers (e.g. `x-amz-checksum-crc32:…`).
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) throw new Error('truncated aws-chunked body');
    const size = parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new Error('bad aws-chunked chunk size');
    pos = eol + 2;
    if (size === 0) break;
    parts.push(body.subarray(pos, pos + size));
    pos += size + 2;
  }
  return Buffer.concat(parts);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]!));
}

/** Answers an S3 XML error (no body for HEAD, as S3 does). */
export function sendS3Error(
  res: ServerResponse,
  method: string,
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, string> = {},
): void {
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>whatsapp-flow-emulator</HostId></Error>`;
  const body = method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(xml);
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': String(body.length),
    'x-amz-request-id': requestId,
    'x-amz-id-2': 'whatsapp-flow-emulator',
  });
  res.end(body);
}
