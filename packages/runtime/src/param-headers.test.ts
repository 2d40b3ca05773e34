import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramHeaderDeclarations, paramHeaderProblem } from './param-headers.js';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    count: { type: 'integer', 'x-mcp-header': 'Count' },
    nested: { type: 'object', properties: { flag: { type: 'boolean', 'x-mcp-header': 'Flag' } } },
    listed: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Ignored' } },
    plain: { type: 'string' },
  },
};

describe('Mcp-Param-* headers (SEP-2243)', () => {
  it('finds the declarations reachable through properties only', () => {
    expect(paramHeaderDeclarations(schema)).toEqual([
      { path: ['region'], header: 'Region', type: 'string' },
      { path: ['count'], header: 'Count', type: 'integer' },
      { path: ['nested', 'flag'], header: 'Flag', type: 'boolean' },
    ]);
    expect(paramHeaderDeclarations(undefined)).toEqual([]);
  });

  it('accepts agreeing headers (plain, Base64 sentinel, numerically equal) and names the first that disagrees', () => {
    const declarations = paramHeaderDeclarations(schema);
    const headers = (entries: Record<string, string>): Headers => new Headers(entries);
    const args = { region: 'eu', count: 42, nested: { flag: true } };
    expect(paramHeaderProblem(declarations, args, headers({ 'Mcp-Param-Region': 'eu', 'Mcp-Param-Count': '42.0', 'Mcp-Param-Flag': 'true' }))).toBeUndefined();
    expect(paramHeaderProblem(declarations, args, headers({ 'Mcp-Param-Region': '=?base64?ZXU=?=', 'Mcp-Param-Count': '42', 'Mcp-Param-Flag': 'true' }))).toBeUndefined();
    expect(paramHeaderProblem(declarations, { plain: 'x' }, headers({}))).toBeUndefined();
    expect(paramHeaderProblem(declarations, args, headers({ 'Mcp-Param-Region': 'us', 'Mcp-Param-Count': '42', 'Mcp-Param-Flag': 'true' }))?.header).toBe('Mcp-Param-Region');
    expect(paramHeaderProblem(declarations, args, headers({ 'Mcp-Param-Region': 'eu', 'Mcp-Param-Flag': 'true' }))?.message).toContain('is absent');
    expect(paramHeaderProblem(declarations, args, headers({ 'Mcp-Param-Region': '=?base64?***?=', 'Mcp-Param-Count': '42', 'Mcp-Param-Flag': 'true' }))?.message).toContain('invalid Base64');
  });

  it('never throws, whatever the schema, arguments and headers', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.dictionary(fc.constantFrom('Mcp-Param-Region', 'Mcp-Param-A', 'x'), fc.stringMatching(/^[\x20-\x7e]*$/)), (anySchema, args, entries) => {
        const declarations = paramHeaderDeclarations(anySchema);
        const problem = paramHeaderProblem([...declarations, ...paramHeaderDeclarations(schema)], args, new Headers(entries));
        expect(problem === undefined || typeof problem.message === 'string').toBe(true);
      }),
    );
  });
});
