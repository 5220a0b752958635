// Where the optional corpus of third-party Flow JSON documents is (beside the repository, as CI
// lays it out), and why its tests are skipped when it is not there. Plain JavaScript so that the
// jest reporter (skip-reporter.js) and the TypeScript tests share one copy.
'use strict';
const fs = require('fs');
const path = require('path');

const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'flows');
const CORPUS_PRESENT = fs.existsSync(CORPUS_DIR) && fs.statSync(CORPUS_DIR).isDirectory();
const CORPUS_SKIP_REASON =
  'the corpus of third-party Flow JSON documents is not at ../shared/corpus/flows (CI lays it beside the clone); ' +
  "the project's own documents in test/fixtures/documents cover the same verdicts";

module.exports = { CORPUS_DIR, CORPUS_PRESENT, CORPUS_SKIP_REASON };
