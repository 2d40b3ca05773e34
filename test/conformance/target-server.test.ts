import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForChild } from '../support/child-process.js';
import { startHttpTarget, type RunningTarget } from './target-server.js';

/*
 * The conformance target itself: `npm run conformance` measures it with the official
 * suite (Node >= 22); this keeps it working on every test run, over HTTP and over
 * stdio (how the gateway spawns it), on both protocol eras.
 */

const ERAS = [
  { era: '2025-11-25', versionNegotiation: { mode: 'legacy' as const } },
  { era: '2026-07-28', versionNegotiation: { mode: { pin: '2026-07-28' } } },
];

async function connect(transport: Transport, versionNegotiation: (typeof ERAS)[number]['versionNegotiation']): Promise<Client> {
  const client = new Client({ name: 'target-test', version: '1.0.0' }, { capabilities: { elicitation: {} }, versionNegotiation });
  client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { name: 'Ada' } }));
  await client.connect(transport);
  return client;
}

function firstText(result: unknown): string | undefined {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  return content?.find((item) => item.type === 'text')?.text;
}

async function exercise(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['test_simple_text', 'test_input_required_result_elicitation', 'test_tool_with_progress']));
  expect(firstText(await client.callTool({ name: 'test_simple_text', arguments: {} }))).toBe('This is a simple text response for testing.');
  // input_required, fulfilled by the client's elicitation handler on 2026-07-28 and by the SDK's shim on 2025-11-25.
  expect(firstText(await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }))).toBe('Hello, Ada!');
  const read = await client.readResource({ uri: 'test://static-text' });
  expect(read.contents[0]).toMatchObject({ uri: 'test://static-text', text: 'This is the content of the static text resource.' });
  const skill = await client.readResource({ uri: 'skill://conformance-skill/SKILL.md' });
  expect(skill.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
}

describe('conformance target over HTTP', () => {
  let target: RunningTarget;
  beforeAll(async () => {
    target = await startHttpTarget(0);
  });
  afterAll(async () => {
    await target.close();
  });

  for (const { era, versionNegotiation } of ERAS) {
    it(`serves the fixtures on ${era}`, async () => {
      const client = await connect(new StreamableHTTPClientTransport(new URL(target.url)), versionNegotiation);
      try {
        await exercise(client);
      } finally {
        await client.close();
      }
    });
  }

  it('refuses a foreign Host (DNS-rebinding protection)', async () => {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { host: 'evil.example.com', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('conformance target over stdio', () => {
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skillsync-target-'));
    bundle = await bundleForChild(path.join(import.meta.dirname, 'target-server.ts'), path.join(dir, 'target-server.mjs'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const { era, versionNegotiation } of ERAS) {
    it(`serves the fixtures on ${era}`, async () => {
      const client = await connect(new StdioClientTransport({ command: process.execPath, args: [bundle, '--stdio'], stderr: 'ignore' }), versionNegotiation);
      try {
        await exercise(client);
      } finally {
        await client.close();
      }
    });
  }
});
