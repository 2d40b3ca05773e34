import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { humanLine, openDaemonLog, readLogTail } from './daemon-log.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-daemon-log-'));
  file = path.join(dir, 'state', 'daemon.log');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const records = async (): Promise<Record<string, unknown>[]> =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('openDaemonLog', () => {
  it('writes one JSON object per record, and a line for a person to the echo', async () => {
    const echoed: string[] = [];
    const log = openDaemonLog({ file, echo: (line) => echoed.push(line), now: () => new Date(2026, 0, 31, 9, 5, 7) });
    log.info('repaired cursor', { runIds: ['r1'] });
    log.warn('holding ~/.cursor/mcp.json');
    log.close();
    expect(await records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'repaired cursor', runIds: ['r1'], pid: process.pid, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown }),
      expect.objectContaining({ level: 'warn', msg: 'holding ~/.cursor/mcp.json' }),
    ]);
    expect(echoed).toEqual(['09:05:07 repaired cursor\n', '09:05:07 warning: holding ~/.cursor/mcp.json\n']);
  });

  it('never writes a secret, in the message or the details', async () => {
    const token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const echoed: string[] = [];
    const log = openDaemonLog({ file, echo: (line) => echoed.push(line), now: () => new Date() });
    log.error(`the connector answered with ${token}`, { token: 'dashboard-token-value', headers: { Authorization: `Bearer ${token}` } });
    log.close();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain('dashboard-token-value');
    expect(echoed.join('')).not.toContain(token);
  });

  it('moves a log over the size limit to <file>.1 at start, replacing the one before', async () => {
    const first = openDaemonLog({ file, now: () => new Date() });
    first.info('x'.repeat(200));
    first.close();
    await writeFile(`${file}.1`, 'older\n');
    const second = openDaemonLog({ file, now: () => new Date(), rotateBytes: 100 });
    second.info('after rotation');
    second.close();
    expect(await readFile(`${file}.1`, 'utf8')).toContain('x'.repeat(200));
    expect((await records()).map((record) => record.msg)).toEqual(['after rotation']);
  });

  it('moves the log to <file>.1 as soon as a record takes it past the limit, and goes on in a new file', async () => {
    const log = openDaemonLog({ file, now: () => new Date(), rotateBytes: 300 });
    log.info('first');
    log.info('y'.repeat(300));
    log.info('after rotation');
    log.close();
    expect((await readFile(`${file}.1`, 'utf8')).split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['first', 'y'.repeat(300)]);
    expect((await records()).map((record) => record.msg)).toEqual(['after rotation']);
  });

  it('takes no record after close', async () => {
    const log = openDaemonLog({ file, now: () => new Date() });
    log.info('last');
    log.close();
    log.info('too late');
    expect((await records()).map((record) => record.msg)).toEqual(['last']);
  });
});

describe('readLogTail', () => {
  it('reads the last lines from the end, without the line being written, and says where the complete lines end', async () => {
    // Longer than one chunk read from the end, with a line split across two chunks and a character of two bytes at a split.
    const lines = Array.from({ length: 3000 }, (_, index) => `{"msg":"record ${index} é${'x'.repeat(index % 50)}"}`);
    const complete = `${lines.join('\n')}\n`;
    await writeFile(path.join(dir, 'big.log'), `${complete}{"msg":"half`);
    const tail = await readLogTail(path.join(dir, 'big.log'), 2500);
    expect(tail.lines).toEqual(lines.slice(-2500));
    expect(tail.end).toBe(Buffer.byteLength(complete));
    expect(await readLogTail(path.join(dir, 'big.log'), 0)).toEqual({ lines: [], end: Buffer.byteLength(complete) });
    expect((await readLogTail(path.join(dir, 'big.log'), 5000)).lines).toEqual(lines);
  });

  it('finds nothing in a log that is not there, or has no complete line yet', async () => {
    expect(await readLogTail(path.join(dir, 'missing.log'), 10)).toEqual({ lines: [], end: 0 });
    await writeFile(path.join(dir, 'partial.log'), '{"msg":"hal');
    expect(await readLogTail(path.join(dir, 'partial.log'), 10)).toEqual({ lines: [], end: 0 });
  });
});

describe('humanLine', () => {
  it('marks errors and warnings, not information', () => {
    const at = new Date(2026, 0, 1, 23, 59, 0);
    expect(humanLine(at, 'error', 'no dashboard')).toBe('23:59:00 error: no dashboard\n');
    expect(humanLine(at, 'info', 'stopped')).toBe('23:59:00 stopped\n');
  });
});
