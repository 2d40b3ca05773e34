import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodecReadResult, EditResult } from './codec-result.js';
import { editJsonMap, readJsonMap } from './edit-json-map.js';
import { editTomlTables, readTomlTables } from './edit-toml-tables.js';
import { editYamlList, readYamlList } from './edit-yaml-list.js';
import { editYamlMap, readYamlMap } from './edit-yaml-map.js';
import { readManagedBlock, removeManagedBlock, renderManagedBlock } from './render-managed-block.js';

/** Strings heavy in the characters each format cares about, plus plain arbitrary text. */
const hostileText = fc.oneof(
  fc.string(),
  fc.string({
    unit: fc.constantFrom('{', '}', '[', ']', '"', "'", ':', ',', '=', '#', '-', ' ', '\t', '\n', '\r\n', '/', '*', 'a', 'mcpServers', 'mcp_servers', 'name', '<!-- skillsync:begin x -->', '<!-- skillsync:end x -->', '---', '```', '"""', '\uFEFF'),
    maxLength: 60,
  }),
);

function isCodecOutcome(result: EditResult | CodecReadResult<unknown>): boolean {
  if (result.ok) return true;
  return ['CLIENT_FILE_INVALID', 'CLIENT_FILE_UNSUPPORTED_LAYOUT'].includes(result.problem.code) && !('text' in result) && result.problem.line >= 1 && result.problem.column >= 1;
}

describe('codecs on arbitrary input', () => {
  it('never throw: every read and edit ends in a result or a failure value', () => {
    const server = { command: 'npx', args: ['-y'] };
    fc.assert(
      fc.property(hostileText, (text) => {
        const outcomes = [
          readJsonMap(text, ['mcpServers']),
          editJsonMap(text, { keyPath: ['mcpServers'], set: { s: server }, remove: ['a'] }),
          readTomlTables(text, 'mcp_servers'),
          editTomlTables(text, { prefix: 'mcp_servers', set: { s: server }, remove: ['a'] }),
          readYamlMap(text, ['extensions']),
          editYamlMap(text, { keyPath: ['extensions'], set: { s: server }, remove: ['a'] }),
          readYamlList(text, ['mcpServers'], 'name'),
          editYamlList(text, { keyPath: ['mcpServers'], idField: 'name', set: { s: server }, remove: ['a'] }),
          readManagedBlock(text, 'x'),
          renderManagedBlock(text, { id: 'x', content: 'hello' }),
          removeManagedBlock(text, 'x'),
        ];
        for (const outcome of outcomes) expect(isCodecOutcome(outcome)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const trivia = fc.constantFrom('', ' ', '  ', '\t', '\n', '\r\n', '\n    ', ' // note\n', '/* c */', ' /* a\nb */ ', '\n// own line\n');
const key = fc.string({ unit: fc.constantFrom('a', 'b', 'x', '-', '.', ' ', 'é'), minLength: 1, maxLength: 6 }).filter((name) => name !== 'skillsync-test');
const leaf: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 8 }));
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
})).value;

/** Prints JSONC, drawing whitespace/comments between tokens and trailing commas from `style`. */
function printJsonc(value: Json, style: { trivia: string[]; trailing: boolean[] }): string {
  let cursor = 0;
  const pad = (): string => style.trivia[cursor++ % Math.max(style.trivia.length, 1)] ?? '';
  const trailing = (): boolean => style.trailing[cursor++ % Math.max(style.trailing.length, 1)] ?? false;
  const print = (node: Json): string => {
    if (Array.isArray(node)) {
      if (node.length === 0) return '[]';
      return `[${pad()}${node.map((item) => print(item)).join(`${pad()},${pad()}`)}${trailing() ? `${pad()},` : ''}${pad()}]`;
    }
    if (node !== null && typeof node === 'object') {
      const members = Object.entries(node).map(([name, item]) => `${JSON.stringify(name)}${pad()}:${pad()}${print(item)}`);
      if (members.length === 0) return '{}';
      return `{${pad()}${members.join(`${pad()},${pad()}`)}${trailing() ? `${pad()},` : ''}${pad()}}`;
    }
    return JSON.stringify(node);
  };
  return `${pad()}${print(value)}${pad()}`;
}

describe('JSONC set-then-remove', () => {
  it('is the identity for a new key, whatever the comments, whitespace and trailing commas', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, json, { maxKeys: 3 }),
        fc.dictionary(key, json, { minKeys: 1, maxKeys: 3 }),
        fc.array(trivia, { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        json,
        (others, servers, triviaList, trailingList, added) => {
          const text = printJsonc({ ...others, mcpServers: servers }, { trivia: triviaList, trailing: trailingList });
          const set = editJsonMap(text, { keyPath: ['mcpServers'], set: { 'skillsync-test': added } });
          if (!set.ok) throw new Error(`${set.problem.message}\n${text}`);
          expect(readJsonMap(set.text, ['mcpServers'])).toEqual({ ok: true, value: { ...servers, 'skillsync-test': added } });
          expect(editJsonMap(set.text, { keyPath: ['mcpServers'], set: { 'skillsync-test': added } })).toEqual({ ok: true, text: set.text, changed: false });
          expect(editJsonMap(set.text, { keyPath: ['mcpServers'], remove: ['skillsync-test'] })).toEqual({ ok: true, text, changed: true });
        },
      ),
      { numRuns: 500 },
    );
  });
});
