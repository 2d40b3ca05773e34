/* eslint-disable @typescript-eslint/no-deprecated -- the names below are deprecated in the SDK for new servers, not for a proxy:
 * - `Server`: the low-level server. McpServer registers each tool with a schema and a callback; a
 *   gateway forwards raw requests whose tools it learns at run time, which is what `Server` is for.
 * - `SSEClientTransport`: the 2024-11-05 transport, still what some remote connectors speak
 *   (`transport: sse` in the manifest).
 * - logging: deprecated by 2026-07-28 but live in 2025-11-25, which most connectors and clients speak.
 */
import { Server } from '@modelcontextprotocol/server';
import { SSEClientTransport, type LoggingMessageNotificationParams } from '@modelcontextprotocol/client';

export const LowLevelServer = Server;
export type LowLevelServer = Server;
export const LegacySseClientTransport = SSEClientTransport;
export type LogMessageParams = LoggingMessageNotificationParams;

/** Sends a log message to a 2025-11-25 session (`sessionId`: the HTTP session, if any). */
export function sendLog(server: Server, params: LoggingMessageNotificationParams, sessionId: string | undefined): Promise<void> {
  return server.sendLoggingMessage(params, sessionId);
}
