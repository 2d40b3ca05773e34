import { describe, expect, it } from 'vitest';
import { createEventParser } from './event-stream.js';

describe('createEventParser', () => {
  it('returns each event once it is complete, however the text is cut', () => {
    const text = 'event: status\ndata: {"a":1}\n\n: keep-alive\n\nevent: synced\ndata: {"b":2}\n\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const parse = createEventParser();
      const events = [];
      for (let at = 0; at < text.length; at += size) events.push(...parse(text.slice(at, at + size)));
      expect(events).toEqual([
        { type: 'status', data: '{"a":1}' },
        { type: 'synced', data: '{"b":2}' },
      ]);
    }
  });

  it('holds an event back until its blank line arrives', () => {
    const parse = createEventParser();
    expect(parse('event: status\ndata: x\n')).toEqual([]);
    expect(parse('\n')).toEqual([{ type: 'status', data: 'x' }]);
  });

  it('takes CRLF and CR line ends, even a CRLF split between two chunks', () => {
    const parse = createEventParser();
    expect([...parse('data: one\r'), ...parse('\n\r\n'), ...parse('data: two\r\rdata: three\n\n')]).toEqual([
      { type: 'message', data: 'one' },
      { type: 'message', data: 'two' },
      { type: 'message', data: 'three' },
    ]);
  });

  it('joins data lines, ignores other fields, comments and empty events, and resets the type', () => {
    const parse = createEventParser();
    expect(parse('id: 7\nevent: changed\ndata: a\ndata:b\nretry: 10\n\n:comment\n\n\ndata: c\n\n')).toEqual([
      { type: 'changed', data: 'a\nb' },
      { type: 'message', data: 'c' },
    ]);
  });
});
