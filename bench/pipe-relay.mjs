// The floor of bench/gateway.mjs: a process between the client and the echo server
// that only copies bytes both ways (no parsing, no governance), so what it costs is
// one more process hop: two more pipe writes and wake-ups per call on the same cores.
// Usage: node bench/pipe-relay.mjs <command> [args…]
import { spawn } from 'node:child_process';
import process from 'node:process';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) throw new Error('usage: node bench/pipe-relay.mjs <command> [args…]');
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.on('exit', (code) => process.exit(code ?? 1));
