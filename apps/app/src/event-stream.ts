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
  return (chunk) => {
    buffer += chunk;
    const events: StreamEvent[] = [];
    for (let end = buffer.search(/\r\n|\r|\n/); end !== -1; end = buffer.search(/\r\n|\r|\n/)) {
      // A chunk that ends in `\r` may end half of a `\r\n`: wait for the next one.
      if (end === buffer.length - 1 && buffer.endsWith('\r')) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
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
