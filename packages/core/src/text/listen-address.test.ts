import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseListenAddress } from './listen-address.js';

describe('isLoopbackHost', () => {
  it('is true for this machine only', () => {
    for (const host of ['localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', 'localhost.example.com', '::', '128.0.0.1', '']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('parseListenAddress', () => {
  const usage = { option: '--listen', example: '127.0.0.1:4873' };
  it('reads HOST:PORT, [v6]:PORT and :PORT', () => {
    expect(parseListenAddress('0.0.0.0:80', usage)).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListenAddress('[::1]:0', usage)).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress(':4873', usage)).toEqual({ host: '127.0.0.1', port: 4873 });
  });
  it('refuses anything else as a usage error naming the option', () => {
    for (const value of ['4873', 'host', 'host:', 'host:70000', 'a:b:1']) {
      expect(() => parseListenAddress(value, usage), value).toThrow(expect.objectContaining({ code: 'USAGE', message: `--listen ${value}: not HOST:PORT.`, hint: expect.stringContaining(':4873 for 127.0.0.1') as string }));
    }
  });
});
