import { randomBytes } from 'node:crypto';
import type { CallToolResult, ClientCapabilities, GetPromptResult, JsonSchemaType, McpRequestContext, ReadResourceResult, ServerContext } from '@modelcontextprotocol/server';
import {
  CLIENT_CAPABILITIES_META_KEY,
  McpServer,
  ResourceTemplate,
  completable,
  createRequestStateCodec,
  fromJsonSchema,
  inputRequired,
  inputResponse,
} from '@modelcontextprotocol/server';
import { SkillsExtension, memorySkillFiles } from '@modelcontextprotocol/server/ext/skills';
import * as z from 'zod';

/*
 * The conformance target: one MCP server holding every fixture the server scenarios of
 * the official conformance suite (`@modelcontextprotocol/conformance`, the version
 * scripts/conformance.mjs pins) call, under the exact tool, resource and prompt names
 * their descriptions give (`conformance list --server`), plus one small skill so the
 * SEP-2640 scenarios have something to enumerate. The same factory serves the 2025-11-25
 * (initialize, sessions) and the 2026-07-28 (stateless, per-request `_meta`) wire,
 * over HTTP and over stdio (target-server.ts): handlers are written once, the SDK
 * picks the era.
 */

/** A 1×1 red PNG. */
export const TEST_IMAGE_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A minimal WAV file. */
export const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

export const TARGET_INFO = { name: 'skillsync-conformance-target', version: '1.0.0' } as const;

/** The skill the target serves (SEP-2640): a subdirectory, so `resources/directory/read` has one to show. */
const SKILL_FILES: Record<string, string> = {
  'conformance-skill/SKILL.md': [
    '---',
    'name: conformance-skill',
    'description: A fixture skill for the MCP conformance suite. Use it when a conformance scenario asks for a skill.',
    'license: Apache-2.0',
    'metadata:',
    '  owner: skillsync',
    '---',
    '',
    '# Conformance skill',
    '',
    'Read [the guide](references/guide.md) before doing anything.',
    '',
  ].join('\n'),
  'conformance-skill/references/guide.md': '# Guide\n\nThis file exists so the skill has a subdirectory.\n',
};

/** What the whole process shares between the per-request (2026-07-28) and per-session (2025-11-25) server instances. */
export interface FixtureState {
  /** Publishes list changes to open `subscriptions/listen` streams (set once the HTTP handler exists). */
  publish?: { toolsChanged(): void; promptsChanged(): void };
  readonly subscriptions: Set<string>;
  readonly skills: Promise<SkillsExtension>;
  /** HMAC codec for `requestState` (every round of a flow is served by this process, so a per-process key works). */
  readonly codec: ReturnType<typeof createRequestStateCodec<FlowState>>;
}

interface FlowState {
  readonly tool: string;
  readonly step: number;
  readonly name?: string;
}

export function createFixtureState(): FixtureState {
  return {
    subscriptions: new Set(),
    skills: SkillsExtension.load(memorySkillFiles(SKILL_FILES), { onWarning: () => undefined }),
    codec: createRequestStateCodec<FlowState>({ key: randomBytes(32), bind: (ctx) => ctx.mcpReq.method }),
  };
}

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** The client's declared capabilities: the request envelope's on 2026-07-28, the initialize ones on 2025-11-25. */
function clientCapabilities(ctx: ServerContext, server: McpServer): ClientCapabilities {
  const envelope: Record<string, unknown> | undefined = ctx.mcpReq.envelope;
  const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY];
  if (typeof declared === 'object' && declared !== null) return declared;
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 2025-11-25 accessor; 2026-07-28 requests carry the envelope above.
  return server.server.getClientCapabilities() ?? {};
}

/** A log message, sent only as the client's log level allows (and on 2026-07-28 only when the request set one). */
function log(ctx: ServerContext, message: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- server logging is deprecated in 2026-07-28, and exactly what these fixtures test.
  return ctx.mcpReq.log('info', message);
}

const nameRequest = (message: string, property = 'name') =>
  inputRequired.elicit({
    message,
    requestedSchema: { type: 'object', properties: { [property]: { type: 'string' } }, required: [property] },
  });

/** `property` of the accepted elicitation answer under `key`, when it is a non-empty string. */
function elicited(ctx: ServerContext, key: string, property: string): string | undefined {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  if (view.kind !== 'elicit' || view.action !== 'accept') return undefined;
  const value = view.content?.[property];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function sampledText(ctx: ServerContext, key: string): string | undefined {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  if (view.kind !== 'sampling') return undefined;
  const content = view.result.content;
  const first = Array.isArray(content) ? content[0] : content;
  return first?.type === 'text' ? first.text : '(non-text sampling response)';
}

function rootsOf(ctx: ServerContext, key: string): string[] | undefined {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  return view.kind === 'roots' ? view.roots.map((root) => root.uri) : undefined;
}

/** The flow state this round carries, verified by the codec (the SDK already rejected a forged one with -32602). */
function flowState(ctx: ServerContext, tool: string): FlowState | undefined {
  const state = ctx.mcpReq.requestState<FlowState>();
  return state?.tool === tool ? state : undefined;
}

/**
 * Builds one server instance. `createMcpHandler` calls it once per 2026-07-28 request,
 * the 2025-11-25 session router once per session, `serveStdio` once per connection.
 */
export async function createTargetServer(state: FixtureState, context?: McpRequestContext): Promise<McpServer> {
  const server = new McpServer(TARGET_INFO, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    },
    requestState: { verify: (wire, ctx) => state.codec.verify(wire, ctx) },
    cacheHints: {
      'tools/list': { ttlMs: 60_000, cacheScope: 'public' },
      'prompts/list': { ttlMs: 60_000, cacheScope: 'public' },
      'resources/list': { ttlMs: 60_000, cacheScope: 'public' },
      'resources/templates/list': { ttlMs: 60_000, cacheScope: 'public' },
    },
  });
  const modernHttp = context?.era === 'modern' && context.requestInfo !== undefined;

  registerTools(server, state, modernHttp);
  registerInputRequiredTools(server, state);
  registerResources(server, state);
  registerPrompts(server);
  (await state.skills).attach(server);
  return server;
}

function registerTools(server: McpServer, state: FixtureState, modernHttp: boolean): void {
  server.registerTool('test_simple_text', { description: 'Returns one text content item' }, () => text('This is a simple text response for testing.'));

  server.registerTool('test_image_content', { description: 'Returns one PNG image content item' }, () => ({
    content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }],
  }));

  server.registerTool('test_audio_content', { description: 'Returns one WAV audio content item' }, () => ({
    content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
  }));

  server.registerTool('test_embedded_resource', { description: 'Returns an embedded text resource' }, () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }));

  server.registerTool('test_multiple_content_types', { description: 'Returns text, an image and an embedded resource' }, () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }));

  server.registerTool('test_tool_with_logging', { description: 'Sends three info log messages about 50 ms apart' }, async (ctx) => {
    await log(ctx, 'Tool execution started');
    await sleep(50);
    await log(ctx, 'Tool processing data');
    await sleep(50);
    await log(ctx, 'Tool execution completed');
    return text('Tool with logging executed successfully');
  });

  server.registerTool('test_logging_tool', { description: 'Logs one message (sent only when the request asked for a log level)' }, async (ctx) => {
    await log(ctx, 'test_logging_tool ran');
    return text('logged');
  });

  server.registerTool('test_tool_with_progress', { description: 'Reports progress 0, 50 and 100 of 100' }, async (ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` } });
      }
      if (progress < 100) await sleep(50);
    }
    return text(`Progress reported for token ${String(progressToken)}`);
  });

  server.registerTool('test_error_handling', { description: 'Always fails with isError: true' }, () => {
    throw new Error('This tool intentionally returns an error for testing');
  });

  server.registerTool('test_reconnection', { description: 'Closes the SSE stream mid-call, then answers on the resumed stream (SEP-1699)' }, async (ctx) => {
    ctx.http?.closeSSE?.();
    await sleep(100);
    return text('Reconnection test completed successfully.');
  });

  // Server-to-client requests, written once as input_required results: on 2026-07-28 the
  // client fulfils them; on 2025-11-25 the SDK's legacy shim sends them as real requests.
  server.registerTool(
    'test_sampling',
    { description: 'Asks the client to sample an LLM completion', inputSchema: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }) },
    ({ prompt }, ctx) => {
      const answer = sampledText(ctx, 'sampling');
      if (answer !== undefined) return text(`LLM response: ${answer}`);
      return inputRequired({ inputRequests: { sampling: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 }) } });
    },
  );

  server.registerTool(
    'test_elicitation',
    { description: 'Asks the user for a username and an email', inputSchema: z.object({ message: z.string().describe('The message to show the user') }) },
    ({ message }, ctx) => {
      const view = inputResponse(ctx.mcpReq.inputResponses, 'form');
      if (view.kind === 'elicit') return text(`User response: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`);
      return inputRequired({
        inputRequests: {
          form: inputRequired.elicit({
            message,
            requestedSchema: {
              type: 'object',
              properties: { username: { type: 'string', description: "User's username" }, email: { type: 'string', description: "User's email address" } },
              required: ['username', 'email'],
            },
          }),
        },
      });
    },
  );

  server.registerTool('test_elicitation_sep1034_defaults', { description: 'Elicits a form whose fields all have defaults (SEP-1034)' }, (ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'form');
    if (view.kind === 'elicit') return text(`Elicitation completed: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`);
    return inputRequired({
      inputRequests: {
        form: inputRequired.elicit({
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        }),
      },
    });
  });

  server.registerTool('test_elicitation_sep1330_enums', { description: 'Elicits all five enum schema variants (SEP-1330)' }, (ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'form');
    if (view.kind === 'elicit') return text(`Elicitation completed: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`);
    return inputRequired({
      inputRequests: {
        form: inputRequired.elicit({
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
              titledSingle: {
                type: 'string',
                description: 'Select one option with titles',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
              untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
              titledMulti: {
                type: 'array',
                description: 'Select multiple options with titles',
                minItems: 1,
                maxItems: 3,
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        }),
      },
    });
  });

  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'A tool whose input schema uses JSON Schema 2020-12 keywords (SEP-1613, SEP-2106)',
      inputSchema: fromJsonSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
          contactMethod: { type: 'string', enum: ['phone', 'email'] },
          phone: { type: 'string' },
          email: { type: 'string' },
        },
        allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
        if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
        then: { required: ['phone'] },
        else: { required: ['email'] },
        additionalProperties: false,
      }),
    },
    (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );

  server.registerTool(
    'test_custom_header',
    {
      description: 'Echoes a parameter the client mirrors into an Mcp-Param-Region header (SEP-2243)',
      // `x-mcp-header` is an MCP annotation the JSON Schema types do not know.
      inputSchema: fromJsonSchema<{ region: string }>({
        type: 'object',
        properties: { region: { type: 'string', 'x-mcp-header': 'Region', description: 'A region name' } as JsonSchemaType },
        required: ['region'],
      }),
    },
    ({ region }) => text(`region=${region}`),
  );

  // SEP-2575 diagnostics (server-stateless).
  // A tool error would be a result with isError; the -32021 has to be a JSON-RPC error. The SDK's
  // input_required seam raises it (HTTP 400) when a handler asks for input the request's
  // client capabilities do not cover, so this tool simply always asks for a sampling.
  server.registerTool('test_missing_capability', { description: 'Needs the client sampling capability; fails with -32021 without it' }, (ctx) => {
    const answer = sampledText(ctx, 'sample');
    if (answer !== undefined) return text(`sampled: ${answer}`);
    return inputRequired({ inputRequests: { sample: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }], maxTokens: 20 }) } });
  });

  server.registerTool('test_streaming_elicitation', { description: 'Reports progress, then asks for input with an input_required result' }, async (ctx) => {
    const name = elicited(ctx, 'user_name', 'name');
    if (name !== undefined) return text(`Hello, ${name}!`);
    const progressToken = ctx.mcpReq._meta?.progressToken;
    if (progressToken !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: 1, total: 2 } });
    return inputRequired({ inputRequests: { user_name: nameRequest('What is your name?') } });
  });

  server.registerTool('test_trigger_tool_change', { description: 'Announces a change of the tool list' }, () => {
    if (modernHttp) state.publish?.toolsChanged();
    else server.sendToolListChanged();
    return text('tools/list_changed sent');
  });

  server.registerTool('test_trigger_prompt_change', { description: 'Announces a change of the prompt list' }, () => {
    if (modernHttp) state.publish?.promptsChanged();
    else server.sendPromptListChanged();
    return text('prompts/list_changed sent');
  });
}

/** The SEP-2322 multi-round-trip fixtures (input-required-result-* scenarios). */
function registerInputRequiredTools(server: McpServer, state: FixtureState): void {
  server.registerTool('test_input_required_result_elicitation', { description: 'Asks for the user name (input_required), then greets' }, (ctx) => {
    const name = elicited(ctx, 'user_name', 'name');
    if (name !== undefined) return text(`Hello, ${name}!`);
    // Missing, wrong or invalid responses: ask again rather than fail.
    return inputRequired({ inputRequests: { user_name: nameRequest('What is your name?') } });
  });

  server.registerTool('test_input_required_result_sampling', { description: 'Asks the client to sample an answer (input_required)' }, (ctx) => {
    const answer = sampledText(ctx, 'capital_question');
    if (answer !== undefined) return text(`The model answered: ${answer}`);
    return inputRequired({
      inputRequests: {
        capital_question: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }], maxTokens: 100 }),
      },
    });
  });

  server.registerTool('test_input_required_result_list_roots', { description: 'Asks for the client roots (input_required)' }, (ctx) => {
    const roots = rootsOf(ctx, 'client_roots');
    if (roots !== undefined) return text(`Client roots: ${roots.join(', ') || '(none)'}`);
    return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
  });

  const stateTool = (name: string, description: string) => {
    server.registerTool(name, { description }, async (ctx) => {
      const flow = flowState(ctx, name);
      const view = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
      if (flow !== undefined && view.kind === 'elicit') return text(`state-ok: confirmed=${JSON.stringify(view.content?.ok ?? null)}`);
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } }),
        },
        requestState: await state.codec.mint({ tool: name, step: 1 }, ctx),
      });
    });
  };
  stateTool('test_input_required_result_request_state', 'Round-trips an HMAC-protected requestState');
  stateTool('test_input_required_result_tampered_state', 'Rejects a tampered requestState with -32602');

  server.registerTool('test_input_required_result_multiple_inputs', { description: 'Asks for an elicitation, a sampling and the roots at once' }, async (ctx) => {
    const tool = 'test_input_required_result_multiple_inputs';
    const name = elicited(ctx, 'user_name', 'name');
    const greeting = sampledText(ctx, 'greeting');
    const roots = rootsOf(ctx, 'client_roots');
    if (flowState(ctx, tool) !== undefined && name !== undefined && greeting !== undefined && roots !== undefined) {
      return text(`state-ok: name=${name}, greeting=${greeting}, roots=${roots.join(', ')}`);
    }
    return inputRequired({
      inputRequests: {
        user_name: nameRequest('What is your name?'),
        greeting: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }], maxTokens: 50 }),
        client_roots: inputRequired.listRoots(),
      },
      requestState: await state.codec.mint({ tool, step: 1 }, ctx),
    });
  });

  server.registerTool('test_input_required_result_multi_round', { description: 'Two rounds of elicitation with evolving requestState' }, async (ctx) => {
    const tool = 'test_input_required_result_multi_round';
    const flow = flowState(ctx, tool);
    if (flow?.step === 2) {
      const color = elicited(ctx, 'step2', 'color');
      if (color !== undefined) return text(`Done: ${flow.name ?? '?'} likes ${color}`);
    }
    const name = flow?.step === 1 ? elicited(ctx, 'step1', 'name') : undefined;
    if (name !== undefined || flow?.step === 2) {
      return inputRequired({
        inputRequests: { step2: nameRequest('Step 2: What is your favorite color?', 'color') },
        requestState: await state.codec.mint({ tool, step: 2, name: name ?? flow?.name }, ctx),
      });
    }
    return inputRequired({ inputRequests: { step1: nameRequest('Step 1: What is your name?') }, requestState: await state.codec.mint({ tool, step: 1 }, ctx) });
  });

  server.registerTool('test_input_required_result_capabilities', { description: 'Asks only for inputs the client declared capabilities for' }, (ctx) => {
    const caps = clientCapabilities(ctx, server);
    const done = elicited(ctx, 'user_name', 'name') ?? sampledText(ctx, 'greeting') ?? rootsOf(ctx, 'client_roots')?.join(', ');
    if (done !== undefined) return text(`Received: ${done}`);
    const requests: Parameters<typeof inputRequired>[0]['inputRequests'] = {};
    if (caps.elicitation !== undefined) requests.user_name = nameRequest('What is your name?');
    if (caps.sampling !== undefined) requests.greeting = inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }], maxTokens: 50 });
    if (caps.roots !== undefined) requests.client_roots = inputRequired.listRoots();
    if (Object.keys(requests).length === 0) return text('The client declared no capability this tool could ask through.');
    return inputRequired({ inputRequests: requests });
  });
}

function registerResources(server: McpServer, state: FixtureState): void {
  const publicHint = { ttlMs: 60_000, cacheScope: 'public' } as const;
  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static Text Resource', description: 'A static text resource for testing', mimeType: 'text/plain', cacheHint: publicHint },
    (): ReadResourceResult => ({ contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }),
  );

  server.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static Binary Resource', description: 'A static binary resource (a PNG image) for testing', mimeType: 'image/png', cacheHint: publicHint },
    (): ReadResourceResult => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] }),
  );

  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Resource Template', description: 'A resource template with parameter substitution', mimeType: 'application/json' },
    (uri, variables): ReadResourceResult => {
      const id = String(variables.id);
      return { contents: [{ uri: uri.toString(), mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
    },
  );

  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched Resource', description: 'A resource clients can subscribe to', mimeType: 'text/plain' },
    (): ReadResourceResult => ({ contents: [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }] }),
  );

  // 2025-11-25 only: the 2026-07-28 revision replaced these with subscriptions/listen.
  server.server.setRequestHandler('resources/subscribe', (request) => {
    state.subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    state.subscriptions.delete(request.params.uri);
    return {};
  });
}

function registerPrompts(server: McpServer): void {
  server.registerPrompt('test_simple_prompt', { title: 'Simple Test Prompt', description: 'A simple prompt without arguments' }, (): GetPromptResult => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt With Arguments',
      description: 'A prompt with two required arguments',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), (value) => ['testValue1', 'testValue2', 'other'].filter((option) => option.startsWith(value))),
        arg2: z.string().describe('Second test argument'),
      }),
    },
    ({ arg1, arg2 }): GetPromptResult => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'Prompt With Embedded Resource',
      description: 'A prompt that embeds the resource it is given',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    ({ resourceUri }): GetPromptResult => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );

  server.registerPrompt('test_prompt_with_image', { title: 'Prompt With Image', description: 'A prompt that includes an image' }, (): GetPromptResult => ({
    messages: [
      { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));

  server.registerPrompt('test_input_required_result_prompt', { title: 'Prompt Needing Input', description: 'Asks for context (input_required) before rendering' }, (ctx) => {
    const context = elicited(ctx, 'user_context', 'context');
    if (context !== undefined) return { messages: [{ role: 'user', content: { type: 'text', text: `Use this context: ${context}` } }] };
    return inputRequired({ inputRequests: { user_context: nameRequest('What context should the prompt use?', 'context') } });
  });
}
