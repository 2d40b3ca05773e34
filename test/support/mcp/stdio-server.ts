import { spawn } from 'node:child_process';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createTestServer, createTestServerState } from './test-server.js';

// The stdio test server: bundled by the tests (build-test-servers.ts) and spawned by the
// gateway as a real child process. TEST_SERVER_LABEL names it; TEST_SERVER_GRANDCHILD=1
// makes it start a long-running grandchild (as `npx` wrappers do) so the tests can check
// the gateway leaves no process behind. TEST_SERVER_FAIL=1 makes it exit at once.
const label = process.env.TEST_SERVER_LABEL ?? 'stdio';
if (process.env.TEST_SERVER_FAIL === '1') {
  process.stderr.write('test server: failing on purpose\n');
  process.exit(3);
}
const state = createTestServerState();
state.pids.push(process.pid);
if (process.env.TEST_SERVER_GRANDCHILD === '1') {
  const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  if (grandchild.pid !== undefined) state.pids.push(grandchild.pid);
  // Not waited for: when this server exits, the grandchild lives on unless its group is ended.
  grandchild.unref();
}
process.stderr.write(`test server ${label} started\n`);
serveStdio(() => createTestServer(label, state, process.env));
