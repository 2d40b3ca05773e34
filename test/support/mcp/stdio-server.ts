import { spawn } from 'node:child_process';
import { memorySkillFiles, SkillsExtension } from '@modelcontextprotocol/server/ext/skills';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { createTestServer, createTestServerState, TEST_SERVER_SKILL_FILES } from './test-server.js';

// The stdio test server: bundled by the tests (build-test-servers.ts) and spawned by the
// gateway as a real child process. TEST_SERVER_LABEL names it; TEST_SERVER_GRANDCHILD=1
// makes it start a long-running grandchild (as `npx` wrappers do) so the tests can check
// the gateway leaves no process behind. TEST_SERVER_FAIL=1 makes it exit at once.
// TEST_SERVER_ERA=legacy makes it speak 2025-11-25 only (like a server on the v1 SDK);
// otherwise it serves whichever revision the client opens with. TEST_SERVER_SKILLS=1 makes
// it serve a skill of its own over the Skills extension (SEP-2640).
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
const skills = process.env.TEST_SERVER_SKILLS === '1' ? await SkillsExtension.load(memorySkillFiles({ ...TEST_SERVER_SKILL_FILES }), { onWarning: () => undefined }) : undefined;
const extras = skills === undefined ? {} : { skills };
if (process.env.TEST_SERVER_ERA === 'legacy') void createTestServer(label, state, process.env, extras).connect(new StdioServerTransport());
else serveStdio(() => createTestServer(label, state, process.env, extras));
