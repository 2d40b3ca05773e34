// A gateway stand-in for the multi-process test: appends `count` records to the audit log
// in `file` as client `client-<id>`, in bursts with short pauses so batches of several
// processes interleave, then closes. Run bundled (see audit-concurrency.test.ts).
import { openAuditLog } from '../audit-log.js';

const [file = '', id = '0', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
const log = await openAuditLog({ file, flushDelayMs: 1 });
for (let index = 0; index < count; index += 1) {
  log.append({
    time: new Date(),
    principal: `user-${id}`,
    client: `client-${id}`,
    action: 'callTool',
    connector: 'github',
    target: `tool-${index}`,
    decision: index % 7 === 0 ? 'deny' : 'allow',
    outcome: index % 7 === 0 ? 'denied' : 'ok',
    latencyMs: index / 10,
  });
  if (index % 25 === 24) await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
}
await log.close();
