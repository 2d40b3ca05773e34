// The daemon's side of the tray, alone in a process the test can kill: it starts the tray
// against a fake controller, prints `ready` (or `headless`), and runs until it is killed.
import process from 'node:process';
import { createEnv } from '@skillsync/core';
import { startTray } from '../../apps/cli/src/daemon/tray/index.js';
import { createFakeController } from './fake-controller.js';

const env = createEnv({ home: process.env.HOME ?? '/', cwd: process.cwd(), platform: 'linux', vars: process.env });
const tray = await startTray({ controller: createFakeController(), env, dashboardUrl: undefined, log: (message) => process.stderr.write(`${message}\n`) });
process.stdout.write(tray === undefined ? 'headless\n' : 'ready\n');
setInterval(() => undefined, 60_000);
