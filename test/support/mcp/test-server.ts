import { createHash } from 'node:crypto';
import { fromJsonSchema, inputRequired, inputResponse, McpServer, ResourceTemplate, type JsonSchemaType } from '@modelcontextprotocol/server';
import { z } from 'zod';

/**
 * A small but real MCP server for the gateway tests, served over stdio (stdio-server.ts,
 * a child process) and Streamable HTTP (http-server.ts, in the test process). Every
 * tool exercises one thing the gateway must carry: plain calls, progress, cancellation,
 * elicitation, list_changed, a planted credential (for redaction), the child's
 * environment (for secrets, without ever echoing a value) and its process id (for
 * orphans).
 */

/** A GitHub-token-shaped string the `leak` tool returns, for redaction tests. */
export const PLANTED_TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';

export interface TestServerState {
  calls: number;
  cancelled: number;
  added: number;
  /** Process ids a test must find gone after shutdown (this process, any grandchild). */
  pids: number[];
}

export function createTestServerState(): TestServerState {
  return { calls: 0, cancelled: 0, added: 0, pids: [] };
}

/** A skill a test server can serve itself (SEP-2640), to test the gateway's pass-through of connector skills. */
export const TEST_SERVER_SKILL_FILES: Readonly<Record<string, string>> = {
  'report-writer/SKILL.md': '---\nname: report-writer\ndescription: Writes weekly reports. Use it when asked for a report.\n---\n\n# Report writer\n\nSee [the template](templates/weekly.md).\n',
  'report-writer/templates/weekly.md': '# Week {{n}}\n',
};

export function createTestServer(
  label: string,
  state: TestServerState,
  env: Readonly<Record<string, string | undefined>>,
  extras: { readonly skills?: { attach(server: McpServer): void } } = {},
): McpServer {
  const server = new McpServer({ name: `test-${label}`, version: '1.0.0' }, { capabilities: { logging: {}, resources: { subscribe: true, listChanged: true } } });
  const subscribed = new Set<string>();
  server.server.setRequestHandler('resources/subscribe', (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  const text = (value: string): { content: { type: 'text'; text: string }[] } => ({ content: [{ type: 'text', text: value }] });

  server.registerTool('echo', { description: 'Returns its text', inputSchema: z.object({ text: z.string() }) }, ({ text: value }) => {
    state.calls += 1;
    return text(`${label}: ${value}`);
  });

  server.registerTool('add', { description: 'Adds two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => {
    state.calls += 1;
    return { ...text(String(a + b)), structuredContent: { sum: a + b } };
  });

  server.registerTool('progress', { description: 'Reports progress in steps', inputSchema: z.object({ steps: z.number().int().min(1).max(20) }) }, async ({ steps }, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (let step = 1; step <= steps; step += 1) {
      if (token !== undefined) {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: step, total: steps, message: `step ${step}` } });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return text(`${steps} steps done`);
  });

  server.registerTool('slow', { description: 'Waits, unless cancelled', inputSchema: z.object({ ms: z.number().int().min(0).max(120_000) }) }, async ({ ms }, ctx) => {
    const cancelled = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { resolve(false); }, ms);
      ctx.mcpReq.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (cancelled) state.cancelled += 1;
    return text(cancelled ? 'cancelled' : 'finished');
  });

  server.registerTool('status', { description: 'What this server has seen' }, () => text(JSON.stringify({ label, calls: state.calls, cancelled: state.cancelled, pids: state.pids })));

  server.registerTool('ask', { description: 'Asks the user a question (elicitation)', inputSchema: z.object({ question: z.string() }) }, async ({ question }, ctx) => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the gateway talks 2025-11-25 upstream, where push elicitation is the way.
    const answer = await ctx.mcpReq.elicitInput({
      mode: 'form',
      message: question,
      requestedSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
    });
    return text(answer.action === 'accept' ? `answer: ${String(answer.content?.answer)}` : `action: ${answer.action}`);
  });

  server.registerTool('sample', { description: 'Asks the client’s model (sampling)', inputSchema: z.object({ prompt: z.string() }) }, async ({ prompt }, ctx) => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the gateway talks 2025-11-25 upstream, where push sampling is the way.
    const answer = await ctx.mcpReq.requestSampling({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 50 });
    const content = Array.isArray(answer.content) ? answer.content[0] : answer.content;
    return text(`model ${answer.model} said: ${content?.type === 'text' ? content.text : '?'}`);
  });

  // Asks for input the 2026-07-28 way: an input_required result (the SDK turns it into a
  // real elicitation/create on 2025-11-25); the retry carries the answer under `choice`.
  server.registerTool('confirm', { description: 'Asks the user to confirm (input_required), then answers', inputSchema: z.object({ question: z.string() }) }, ({ question }, ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'choice');
    if (answer.kind === 'elicit') return text(answer.action === 'accept' ? `confirmed: ${String(answer.content?.answer)}` : `action: ${answer.action}`);
    return inputRequired({
      inputRequests: { choice: inputRequired.elicit({ message: question, requestedSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } }) },
    });
  });

  // A tool only this server has (the others share their names), for the gateway's naming tests.
  server.registerTool(`whoami_${label}`, { description: 'Says which test server this is' }, () => text(label));

  server.registerTool('touch', { description: 'Says its readme changed, to whoever subscribed to it' }, async () => {
    const uri = `test://${label}/readme`;
    if (subscribed.has(uri)) await server.server.sendResourceUpdated({ uri });
    return text(JSON.stringify({ subscribed: [...subscribed].sort() }));
  });

  // SEP-2243: on 2026-07-28 HTTP the client mirrors `region` into an Mcp-Param-Region header.
  server.registerTool(
    'region',
    {
      description: 'Echoes a parameter clients mirror into a header',
      inputSchema: fromJsonSchema<{ region: string }>({
        type: 'object',
        properties: { region: { type: 'string', 'x-mcp-header': 'Region' } as JsonSchemaType },
        required: ['region'],
      }),
    },
    ({ region }) => text(`region=${region}`),
  );

  server.registerTool('env_check', { description: 'Whether an environment variable has the value whose sha256 is given (never the value)', inputSchema: z.object({ name: z.string(), sha256: z.string() }) }, ({ name, sha256 }) => {
    const value = env[name];
    const matches = value !== undefined && createHash('sha256').update(value).digest('hex') === sha256;
    return text(JSON.stringify({ present: value !== undefined, matches }));
  });

  server.registerTool('leak', { description: 'Returns a planted credential-shaped string' }, () => text(`here is a token: ${PLANTED_TOKEN} (planted)`));

  server.registerTool('leak_env', { description: 'A misbehaving tool that echoes an environment variable', inputSchema: z.object({ name: z.string() }) }, ({ name }) =>
    text(`value of ${name}: ${env[name] ?? '(unset)'}`),
  );

  server.registerTool('add_tool', { description: 'Registers one more tool (the server then sends tools/list_changed)' }, () => {
    state.added += 1;
    const name = `extra_${state.added}`;
    server.registerTool(name, { description: 'Added at run time' }, () => text(name));
    return text(name);
  });

  server.registerTool('log', { description: 'Sends a log message', inputSchema: z.object({ message: z.string() }) }, async ({ message }, ctx) => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- logging is live in 2025-11-25.
    await ctx.mcpReq.log('info', message, 'test');
    return text('logged');
  });

  server.registerPrompt('greet', { description: 'A greeting', argsSchema: z.object({ name: z.string() }) }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Say hello to ${name} from ${label}.` } }],
  }));

  server.registerResource('readme', `test://${label}/readme`, { description: 'A fixed text', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: `readme of ${label}` }],
  }));

  server.registerResource('shared', 'test://shared/notice', { description: 'The same URI on every test server', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: `shared notice from ${label}` }],
  }));

  server.registerResource('item', new ResourceTemplate(`test://${label}/items/{id}`, { list: undefined }), { description: 'An item by id', mimeType: 'text/plain' }, (uri, variables) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: `item ${String(variables.id)} of ${label}` }],
  }));

  extras.skills?.attach(server);
  return server;
}
