export { editDistance, suggest, type SuggestOptions } from './suggest.js';
export { randomToken } from './random-token.js';
export { isRecord, parseJsonRecord } from './json-record.js';
export { isLoopbackHost, parseListenAddress } from './listen-address.js';
export { createEventParser, type StreamEvent } from './event-stream.js';
export { byEntryKey, byteOrder } from './byte-order.js';
