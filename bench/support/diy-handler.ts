/**
 * The AwsCustomResource DIY baseline's handler as the local engine runs it: aws-cdk-lib's own
 * handler, unchanged, behind a wrapper that sends its answer to the local ResponseURL.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The wrapper that runs aws-cdk-lib's AwsCustomResource handler locally (its answer goes to https:443 otherwise). */
export function writeDiyHandler(dir: string): string {
  // Not exported by aws-cdk-lib's package.json: found by its path.
  const inner = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `'use strict';
// aws-cdk-lib's AwsCustomResource handler, unchanged, with its response PUT (https, no port)
// sent to the local ResponseURL instead. The SDK client comes from the repository's node_modules.
const http = require('http');
const https = require('https');
let port;
const original = https.request;
https.request = function (options, callback) {
  if (options && options.hostname === '127.0.0.1') return http.request({ ...options, port }, callback);
  return original.apply(this, arguments);
};
const inner = require(${JSON.stringify(inner)});
exports.handler = async (event, context) => {
  port = new URL(event.ResponseURL).port;
  if (event.ResourceProperties && event.ResourceProperties.InstallLatestAwsSdk === 'true') throw new Error('the benchmark never installs packages');
  return inner.handler(event, context);
};
`,
  );
  return dir;
}
