/**
 * Reads a flow's content from its S3 asset. A module of its own so that the handler loads the S3
 * client only for flows whose content travels through S3.
 */
import { Readable } from 'stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

let client: S3Client | undefined;

/**
 * Runs GetObject and returns the body's bytes. With a Content-Length (S3 always sends one) the
 * body is read straight into one buffer of that size, so a 10 MB object costs 10 MB, not the
 * chunks plus their concatenation.
 */
export async function getObjectBytes(bucket: string, key: string, config: { region?: string; requestHandler: object; abortSignal?: AbortSignal }): Promise<Uint8Array> {
  client ??= new S3Client({ maxAttempts: 3, requestHandler: config.requestHandler, region: config.region });
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: config.abortSignal });
  if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  const length = out.ContentLength;
  if (!(out.Body instanceof Readable) || length === undefined) return out.Body.transformToByteArray();
  const bytes = Buffer.allocUnsafe(length);
  let offset = 0;
  for await (const chunk of out.Body as AsyncIterable<Buffer>) {
    if (offset + chunk.length > length) throw new Error(`s3://${bucket}/${key} sent more than its Content-Length of ${length} bytes`);
    chunk.copy(bytes, offset);
    offset += chunk.length;
  }
  if (offset !== length) throw new Error(`s3://${bucket}/${key} ended after ${offset} of its ${length} bytes`);
  return bytes;
}
