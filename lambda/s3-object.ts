/**
 * Reads a flow's content from its S3 asset. A module of its own so that the handler loads the S3
 * client only for flows whose content travels through S3.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

let client: S3Client | undefined;

/** Runs GetObject and returns the body's bytes. */
export async function getObjectBytes(bucket: string, key: string, config: { region?: string; requestHandler: object }): Promise<Uint8Array> {
  client ??= new S3Client({ maxAttempts: 3, requestHandler: config.requestHandler, region: config.region });
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return out.Body.transformToByteArray();
}
