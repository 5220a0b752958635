// Removes the run's temporary folder made by global-setup.js.
'use strict';
const fs = require('fs');

module.exports = async function globalTeardown() {
  const dir = process.env.WHATSAPP_FLOW_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
