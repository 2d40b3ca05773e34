/** One Server-Sent Event: its `event:` type (default `message`) and its `data:` lines joined. */
export interface StreamEvent {
  readonly type: string;
  readonly data: string;
}

/**
 * An incremental Server-Sent Events parser: feed it text as it arrives, in chunks of any
 * size, and it returns the events completed so far. Comments (`: keep-alive`) and
 * fields other than `event` and `data` are ignored. Pure.
 */
export function createEventParser(): (chunk: string) => StreamEvent[] {
  let buffer = '';
  let type = '';
  let data: string[] = [];
  let pendingCr = false;
  return (chunk) => {
    // A CR that ended the previous chunk ended its line; an LF right after it is the rest of a CRLF.
    buffer += pendingCr && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
    pendingCr = buffer.endsWith('\r');
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    const events: StreamEvent[] = [];
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) events.push({ type: type === '' ? 'message' : type, data: data.join('\n') });
        type = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    return events;
  };
}
