// A gateway stand-in for the durability test: opens the audit log in `file` with the
// default flush window, appends `durable` records and waits (without flushing) until
// the timer has written them, says `written`; then appends `queued` more, says
// `queued`, and waits to be killed. Run bundled (see audit-concurrency.test.ts).
import { openAuditLog } from '../audit-log.js';

const [file = '', durableText = '0', queuedText = '0'] = process.argv.slice(2);
const log = await openAuditLog({ file });
const append = (index: number): void => {
  log.append({ time: new Date(), principal: 'ada', client: 'kill-child', action: 'callTool', connector: 'github', target: `tool-${index}`, decision: 'allow', outcome: 'ok' });
};
const durable = Number(durableText);
for (let index = 0; index < durable; index += 1) append(index);
while (log.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
process.stdout.write('written\n');
for (let index = durable; index < durable + Number(queuedText); index += 1) append(index);
process.stdout.write('queued\n');
setInterval(() => undefined, 60_000);
