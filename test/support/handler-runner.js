// A stand-in for a Lambda container: a Node process that loads the built handler bundle once
// and runs the events it is sent over IPC, like warm invocations of one function instance.
// Log lines (JSON, one per line) are collected per RequestId and sent back with the result.
'use strict';
const bundle = process.argv[2];
const lines = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const text = String(chunk);
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      write(line + '\n', ...rest);
    }
  }
  return true;
};
let mod;
process.on('message', async (msg) => {
  const started = Date.now();
  const context = { getRemainingTimeInMillis: () => msg.remainingMs - (Date.now() - started), awsRequestId: 'local' };
  let error;
  try {
    mod ??= require(bundle);
    await mod.handler(msg.event, context);
  } catch (e) {
    error = String((e && e.stack) || e);
  }
  const requestId = msg.event && msg.event.RequestId;
  const logs = lines.filter((l) => l.requestId === requestId);
  process.send({ id: msg.id, logs, error });
});
process.send({ ready: true });
