import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, parseRegistryAddress } from './registry-address.js';

describe('parseRegistryAddress', () => {
  it('takes an address apart into its canonical form, origin, org and API base', () => {
    expect(parseRegistryAddress('https://skills.example.com/v0.1/orgs/acme')).toEqual({
      address: 'https://skills.example.com/v0.1/orgs/acme',
      origin: 'https://skills.example.com',
      org: 'acme',
      apiBase: 'https://skills.example.com/v0.1',
    });
  });

  it('keeps a port and a path prefix, and canonicalises case, default ports and a trailing slash', () => {
    expect(parseRegistryAddress('http://127.0.0.1:4873/v0.1/orgs/acme-2/')).toMatchObject({
      address: 'http://127.0.0.1:4873/v0.1/orgs/acme-2',
      apiBase: 'http://127.0.0.1:4873/v0.1',
    });
    expect(parseRegistryAddress('  HTTPS://Skills.Example.COM:443/registry/v1/v0.1/orgs/acme ')).toEqual({
      address: 'https://skills.example.com/registry/v1/v0.1/orgs/acme',
      origin: 'https://skills.example.com',
      org: 'acme',
      apiBase: 'https://skills.example.com/registry/v1/v0.1',
    });
  });

  it.each([
    ['not a URL', 'skills.example.com/v0.1/orgs/acme'],
    ['another scheme', 'ftp://skills.example.com/v0.1/orgs/acme'],
    ['a directory registry', 'file:///srv/skills'],
    ['no org path', 'https://skills.example.com'],
    ['a path below the org', 'https://skills.example.com/v0.1/orgs/acme/skills'],
    ['another API version', 'https://skills.example.com/v0.2/orgs/acme'],
    ['an org that is no slug', 'https://skills.example.com/v0.1/orgs/Acme_Corp'],
    ['a query', 'https://skills.example.com/v0.1/orgs/acme?x=1'],
    ['a fragment', 'https://skills.example.com/v0.1/orgs/acme#top'],
  ])('refuses %s with INVALID_INPUT and the form as the hint', (_label, text) => {
    expect(() => parseRegistryAddress(text)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', hint: expect.stringContaining('http(s)://host[:port][/prefix]/v0.1/orgs/<org>') as unknown }),
    );
  });

  it('refuses credentials in the address without repeating them', () => {
    let message = '';
    try {
      parseRegistryAddress('https://alice:hunter2-password@skills.example.com/v0.1/orgs/acme');
    } catch (error) {
      message = JSON.stringify(error) + String(error);
    }
    expect(message).toContain('credentials');
    expect(message).not.toContain('hunter2');
  });
});

describe('isLoopbackAddress', () => {
  it('is true only for this machine', () => {
    expect(isLoopbackAddress(parseRegistryAddress('http://localhost:4873/v0.1/orgs/acme'))).toBe(true);
    expect(isLoopbackAddress(parseRegistryAddress('http://127.0.0.2/v0.1/orgs/acme'))).toBe(true);
    expect(isLoopbackAddress(parseRegistryAddress('http://[::1]:80/v0.1/orgs/acme'))).toBe(true);
    expect(isLoopbackAddress(parseRegistryAddress('http://10.0.0.1/v0.1/orgs/acme'))).toBe(false);
    expect(isLoopbackAddress(parseRegistryAddress('http://localhost.example.com/v0.1/orgs/acme'))).toBe(false);
  });
});
