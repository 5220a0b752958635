// Lists every skipped test by name at the end of a run, with its reason printed once: a test that
// cannot run here (a folder beside the repository, a browser) is reported, never passed silently.
// A skipped test states its reason in its name (or an enclosing describe's) as `[skipped: …]`.
'use strict';

const TAG = /\s*\[skipped: ([^\]]+)\]/;

class SkipReporter {
  onRunComplete(_contexts, results) {
    const byReason = new Map();
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status !== 'pending' && t.status !== 'skipped' && t.status !== 'todo') continue;
        const full = [...t.ancestorTitles, t.title].join(' › ');
        const m = TAG.exec(full);
        const reason = m ? m[1] : 'no reason given';
        const name = `${require('path').relative(process.cwd(), file.testFilePath)}: ${full.replace(TAG, '')}`;
        if (!byReason.has(reason)) byReason.set(reason, []);
        byReason.get(reason).push(name);
      }
    }
    for (const [reason, names] of byReason) {
      process.stderr.write(`\nSkipped ${names.length} test${names.length === 1 ? '' : 's'}: ${reason}\n`);
      for (const n of names) process.stderr.write(`  ○ ${n}\n`);
    }
  }
}

module.exports = SkipReporter;
