import { parseJSONRPCMessage, STDIO_DEFAULT_MAX_BUFFER_SIZE, type JSONRPCMessage } from '@modelcontextprotocol/server';

/**
 * Offered each message a stdio transport reads, parsed but not yet checked against the
 * JSON-RPC schema; true when it took the message (it then never reaches `onmessage`).
 * The gateway's direct calls take their own requests and replies here, so the hot path
 * skips the SDK's schema parse (it checks the few fields it reads itself).
 */
export type MessageInterceptor = (message: unknown) => boolean;

/**
 * Newline-delimited JSON-RPC from a stream, as the SDK's `ReadBuffer` reads it (a line
 * that is not JSON is skipped; a buffer past the SDK's limit is dropped with an error),
 * except that each message is first offered to `intercept`, and only the messages it
 * leaves are checked against the schema and delivered.
 */
export class JsonLineReader {
  private buffer: Buffer | undefined;

  constructor(
    private readonly deliver: (message: JSONRPCMessage) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  intercept: MessageInterceptor | undefined;

  append(chunk: Buffer): void {
    const size = (this.buffer?.length ?? 0) + chunk.length;
    if (size > STDIO_DEFAULT_MAX_BUFFER_SIZE) {
      this.clear();
      this.onError(new Error(`the stdio read buffer exceeded its maximum size of ${STDIO_DEFAULT_MAX_BUFFER_SIZE} bytes`));
      return;
    }
    this.buffer = this.buffer === undefined ? chunk : Buffer.concat([this.buffer, chunk]);
    // `this.buffer` is current before each message is handed on: a handler may close (and clear) the reader.
    for (;;) {
      const buffer: Buffer | undefined = this.buffer;
      const end: number = buffer?.indexOf(10) ?? -1;
      if (buffer === undefined || end === -1) return;
      this.buffer = end + 1 === buffer.length ? undefined : buffer.subarray(end + 1);
      // A trailing \r is whitespace to JSON.parse.
      this.offer(buffer.toString('utf8', 0, end));
    }
  }

  clear(): void {
    this.buffer = undefined;
  }

  private offer(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    try {
      if (this.intercept?.(value) === true) return;
      this.deliver(parseJSONRPCMessage(value));
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
