#!/usr/bin/env node
// The published entry point. `--version` is answered here, without loading the bundle,
// so scripts that probe the version pay only for Node's own start-up.
import { readFileSync } from 'node:fs';

const { process } = globalThis;
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const pkg = JSON.parse(readFileSync(new globalThis.URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // Node 22.1+ can cache the compiled bundle between runs; Node 20 has no such API.
  const { default: module } = await import('node:module');
  module.enableCompileCache?.();
  await import('../dist/main.js');
}
