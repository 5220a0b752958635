// A stand-in for a Lambda container: a Node process that loads the built handler bundle once
// and runs the events it is sent over IPC, like warm invocations of one function instance.
// Log lines (JSON, one per line) are collected per RequestId and sent back with the result.
//
// Its clock runs `rate` times faster than real time (argv[3], default 1): the handler's waits,
// backoffs, deadlines and timeouts (tens of seconds in production) pass in a fraction of the
// time, while the emulator answers at its real speed. Delays of a second or less are not sped
// up further, so a connection or a short backoff keeps real time to happen in.
'use strict';
const bundle = process.argv[2];
const rate = Number(process.argv[3] ?? 1);
if (rate > 1) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const t0 = realNow();
  const now = () => t0 + (realNow() - t0) * rate;
  class ScaledDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  global.Date = ScaledDate;
  const real = (ms) => Math.max((Number(ms) || 0) / rate, Math.min(Number(ms) || 0, 1000));
  const realSetTimeout = global.setTimeout;
  const realSetInterval = global.setInterval;
  global.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, real(ms), ...args);
  global.setInterval = (fn, ms, ...args) => realSetInterval(fn, real(ms), ...args);
}
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
