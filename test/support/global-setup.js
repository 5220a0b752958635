// Gives the test run its own temporary folder (TMPDIR) and removes it at the end: every CDK App
// a test synthesizes without an outdir writes a cdk.out folder there, with a copy of the handler
// bundle, and a run would otherwise leave a couple of hundred of them in /tmp.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-flow-cdk-test-'));
  process.env.WHATSAPP_FLOW_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
