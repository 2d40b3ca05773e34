import { PassThrough } from 'node:stream';
import { createEnv } from '@skillsync/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useGatewayUpstreams, waitFor } from '../../../test/support/mcp/harness.js';
import { createGateway, serveGatewayStdio, type AuditRecord, type GatewayOptions } from './index.js';
import { Upstream } from './upstream.js';

/*
 * The hot path of `skillsync serve` (Gateway.directCalls) on real streams, written and
 * read as raw JSON-RPC lines, so each test controls ids and cancellations exactly: a
 * stdio test server as the connector, and a spy on the direct request to see which
 * path answered.
 */

const upstreams = useGatewayUpstreams();

interface Wire {
  send(message: Record<string, unknown>): void;
  /** The next message with this id (a response). */
  response(id: number | string): Promise<Record<string, unknown>>;
  /** Every message read so far. */
  readonly received: Record<string, unknown>[];
}

async function serve(options: Partial<GatewayOptions> = {}): Promise<{ wire: Wire; audit: AuditRecord[] }> {
  const audit: AuditRecord[] = [];
  const gateway = createGateway({
    env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH, USER: 'ada' } }),
    connectors: { local: { command: process.execPath, args: [upstreams.stdio.file], env: { TEST_SERVER_LABEL: 'local' } } },
    audit: { append: (record) => audit.push(record) },
    ...options,
  });
  upstreams.cleanups.push(() => gateway.close());
  await gateway.start();
  const input = new PassThrough();
  const output = new PassThrough();
  const serving = serveGatewayStdio(gateway, { input, output });
  upstreams.cleanups.push(async () => {
    input.end();
    await serving.close();
  });
  const received: Record<string, unknown>[] = [];
  let pending = '';
  output.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) received.push(JSON.parse(line) as Record<string, unknown>);
  });
  const wire: Wire = {
    send: (message) => input.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`),
    response: async (id) => {
      await waitFor(() => received.some((message) => message.id === id && !('method' in message)), 10_000, `the response to ${id}`);
      return received.find((message) => message.id === id && !('method' in message)) ?? {};
    },
    received,
  };
  wire.send({ id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'wire-client', version: '1.0.0' } } });
  await wire.response(0);
  wire.send({ method: 'notifications/initialized' });
  return { wire, audit };
}

const echo = (id: number | string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  method: 'tools/call',
  params: { name: 'local__echo', arguments: { text }, ...extra },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('direct calls (the stdio hot path)', () => {
  it('answers a plain tools/call around the SDK, governed and audited like any call, and leaves other requests to the server', async () => {
    const direct = vi.spyOn(Upstream.prototype, 'callDirect');
    const { wire, audit } = await serve();
    wire.send(echo('a', 'one'));
    wire.send(echo(7, 'two'));
    expect(await wire.response('a')).toEqual({ jsonrpc: '2.0', id: 'a', result: { content: [{ type: 'text', text: 'local: one' }] } });
    expect(await wire.response(7)).toEqual({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'local: two' }] } });
    expect(direct).toHaveBeenCalledTimes(2);

    // A progress token goes the SDK's way, which relays the progress under the client's token.
    wire.send({ id: 8, method: 'tools/call', params: { name: 'local__progress', arguments: { steps: 2 }, _meta: { progressToken: 'p' } } });
    expect(await wire.response(8)).toMatchObject({ result: { content: [{ type: 'text' }] } });
    expect(wire.received.filter((message) => message.method === 'notifications/progress').map((message) => (message.params as { progressToken: unknown }).progressToken)).toEqual(['p', 'p']);
    wire.send({ id: 9, method: 'tools/list' });
    expect(await wire.response(9)).toMatchObject({ result: { tools: expect.arrayContaining([expect.objectContaining({ name: 'local__echo' })]) as unknown } });
    expect(direct).toHaveBeenCalledTimes(2);

    expect(audit.filter((record) => record.action === 'callTool').map((record) => [record.target, record.decision, record.outcome, record.client])).toEqual([
      ['local__echo', 'allow', 'ok', 'wire-client'],
      ['local__echo', 'allow', 'ok', 'wire-client'],
      ['local__progress', 'allow', 'ok', 'wire-client'],
    ]);
    expect(audit[1]?.argumentsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('answers an unknown tool and a malformed call the way the server does', async () => {
    const { wire } = await serve();
    wire.send({ id: 1, method: 'tools/call', params: { name: 'local__nope', arguments: {} } });
    expect(await wire.response(1)).toMatchObject({ error: { code: -32602, message: expect.stringContaining('local__nope') as unknown } });
    wire.send({ id: 2, method: 'tools/call', params: { name: 'local__echo', arguments: 'not an object' } });
    expect(await wire.response(2)).toMatchObject({ error: { code: -32602 } });
  });

  it('cancels a call upstream when the client cancels it, and does not answer it', async () => {
    const { wire, audit } = await serve();
    wire.send({ id: 1, method: 'tools/call', params: { name: 'local__slow', arguments: { ms: 20_000 } } });
    // The test server's tool listens for the abort only once it runs: let the call reach it first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    wire.send({ method: 'notifications/cancelled', params: { requestId: 1, reason: 'changed my mind' } });
    await waitFor(() => audit.some((record) => record.target === 'local__slow'), 10_000, 'the cancelled call in the audit log');
    expect(audit.find((record) => record.target === 'local__slow')).toMatchObject({ decision: 'allow', outcome: 'error', detail: 'local__slow: cancelled' });
    wire.send({ id: 2, method: 'tools/call', params: { name: 'local__status', arguments: {} } });
    const status = JSON.parse(((await wire.response(2)).result as { content: { text: string }[] }).content[0]?.text ?? '{}') as { cancelled: number };
    expect(status.cancelled).toBe(1);
    expect(wire.received.some((message) => message.id === 1)).toBe(false);
  });

  it('times each call out at its own deadline, cancels it upstream, and answers the calls in between', async () => {
    const direct = vi.spyOn(Upstream.prototype, 'callDirect');
    const { wire, audit } = await serve({ requestTimeoutMs: 600 });
    const sent = Date.now();
    wire.send({ id: 1, method: 'tools/call', params: { name: 'local__slow', arguments: { ms: 20_000 } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    wire.send({ id: 2, method: 'tools/call', params: { name: 'local__slow', arguments: { ms: 20_000 } } });
    wire.send(echo(3, 'meanwhile'));
    expect(await wire.response(3)).toMatchObject({ result: { content: [{ type: 'text', text: 'local: meanwhile' }] } });

    const first = await wire.response(1);
    const firstAt = Date.now() - sent;
    const second = await wire.response(2);
    const secondAt = Date.now() - sent;
    for (const response of [first, second]) expect(response).toMatchObject({ error: { code: -32001, message: expect.stringContaining('did not answer within 600 ms') as unknown } });
    expect(firstAt).toBeGreaterThanOrEqual(600);
    // The second call's deadline is its own, not the first one's.
    expect(secondAt).toBeGreaterThanOrEqual(900);
    expect(direct).toHaveBeenCalledTimes(3);
    expect(audit.filter((record) => record.target === 'local__slow').map((record) => record.outcome)).toEqual(['error', 'error']);

    let statusCalls = 0;
    const cancelledUpstream = async (): Promise<number> => {
      const id = `status-${(statusCalls += 1)}`;
      wire.send({ id, method: 'tools/call', params: { name: 'local__status', arguments: {} } });
      const result = (await wire.response(id)).result as { content: { text: string }[] };
      return (JSON.parse(result.content[0]?.text ?? '{}') as { cancelled: number }).cancelled;
    };
    await waitFor(async () => (await cancelledUpstream()) === 2, 10_000, 'both timed-out calls cancelled upstream');
  });

  it('fails the calls in flight when the connector exits', async () => {
    const { wire, audit } = await serve();
    wire.send({ id: 1, method: 'tools/call', params: { name: 'local__status', arguments: {} } });
    const { pids } = JSON.parse(((await wire.response(1)).result as { content: { text: string }[] }).content[0]?.text ?? '{}') as { pids: number[] };
    wire.send({ id: 2, method: 'tools/call', params: { name: 'local__slow', arguments: { ms: 20_000 } } });
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    expect(await wire.response(2)).toMatchObject({ error: { code: -32603, message: expect.stringContaining('connector local') as unknown } });
    expect(audit.find((record) => record.target === 'local__slow')).toMatchObject({ outcome: 'error' });
  });
});
