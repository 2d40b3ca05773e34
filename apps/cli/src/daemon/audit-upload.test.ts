import { describe, expect, it } from 'vitest';
import { afterRefusal, afterUpload, nextUpload, type LocalChain } from './audit-upload.js';
import { REPORT_MIN_GAP_MS, REPORT_REFRESH_MS, REPORT_RETRY_MS, reportDue } from './org-reporting.js';

const point = (seq: number, tag = 'a') => ({ seq, hash: `${tag}${seq}`.padEnd(64, '0') });
const chain = (start: number, head: number, tag = 'a'): LocalChain => ({ start: point(start, tag), head: point(head, tag) });

describe('nextUpload', () => {
  it('has nothing to do for an empty log, or one the server holds up to its head', () => {
    expect(nextUpload(undefined, 'd', undefined)).toEqual({ kind: 'idle' });
    expect(nextUpload(afterUpload('d', point(5)), 'd', chain(0, 5))).toEqual({ kind: 'idle' });
  });

  it('starts a device from its oldest local record, and continues after the acknowledged head', () => {
    expect(nextUpload(undefined, 'd', chain(0, 3))).toEqual({ kind: 'upload', afterSeq: 0 });
    expect(nextUpload(undefined, 'd', chain(40, 90))).toEqual({ kind: 'upload', afterSeq: 40 });
    expect(nextUpload(afterUpload('d', point(5)), 'd', chain(0, 9))).toEqual({ kind: 'upload', afterSeq: 5 });
    // A prune of what was uploaded already changes nothing.
    expect(nextUpload(afterUpload('d', point(5)), 'd', chain(5, 9))).toEqual({ kind: 'upload', afterSeq: 5 });
  });

  it('starts over under a new device name', () => {
    expect(nextUpload(afterUpload('old', point(5)), 'new', chain(0, 9))).toEqual({ kind: 'upload', afterSeq: 0 });
  });

  it('finds a gap the server cannot take: records pruned before they were uploaded', () => {
    const step = nextUpload(afterUpload('d', point(5)), 'd', chain(7, 9));
    expect(step).toMatchObject({ kind: 'broken', reason: expect.stringContaining('records 6–7 were pruned') as string });
  });

  it('finds a replaced log: its head behind the acknowledged one, or the same seq with another hash', () => {
    expect(nextUpload(afterUpload('d', point(5)), 'd', chain(0, 3, 'b'))).toMatchObject({ kind: 'broken' });
    expect(nextUpload(afterUpload('d', point(5)), 'd', chain(0, 5, 'b'))).toMatchObject({ kind: 'broken' });
  });

  it('stays stopped until the local chain start moves', () => {
    const stopped = afterRefusal(afterUpload('d', point(5)), 'd', chain(0, 9), { code: 'INTEGRITY_MISMATCH', reason: 'no', afterSeq: 5 });
    expect(stopped).toEqual({ device: 'd', acknowledged: point(5), stopped: { reason: 'no', start: point(0) } });
    expect(nextUpload(stopped, 'd', chain(0, 12))).toEqual({ kind: 'stopped' });
    expect(nextUpload(stopped, 'd', chain(3, 12))).toEqual({ kind: 'upload', afterSeq: 5 });
  });
});

describe('afterRefusal', () => {
  it('forgets a cursor the server finds records missing after, so the next batch starts from the oldest record', () => {
    expect(afterRefusal(afterUpload('d', point(5)), 'd', chain(0, 9), { code: 'INVALID_INPUT', reason: 'missing', afterSeq: 5 })).toEqual({ device: 'd' });
  });

  it('stops when a batch from the oldest record is refused too', () => {
    expect(afterRefusal({ device: 'd' }, 'd', chain(0, 9), { code: 'INVALID_INPUT', reason: 'missing', afterSeq: 0 })).toEqual({
      device: 'd',
      stopped: { reason: 'missing', start: point(0) },
    });
  });
});

describe('reportDue', () => {
  const now = 10_000_000;
  it('sends a first report, and one whose content changed', () => {
    expect(reportDue({}, 'a', now)).toEqual({ due: true });
    expect(reportDue({ sent: { content: 'a', at: now - REPORT_MIN_GAP_MS }, lastAttempt: { at: now - REPORT_MIN_GAP_MS, ok: true } }, 'b', now)).toEqual({ due: true });
  });

  it('never sends within 30 s of the last try, 5 min after a failed one', () => {
    expect(reportDue({ sent: { content: 'a', at: now - 1000 }, lastAttempt: { at: now - 1000, ok: true } }, 'b', now)).toEqual({ due: false, at: now - 1000 + REPORT_MIN_GAP_MS });
    expect(reportDue({ lastAttempt: { at: now - 60_000, ok: false } }, 'a', now)).toEqual({ due: false, at: now - 60_000 + REPORT_RETRY_MS });
  });

  it('sends an unchanged report again only once it is an hour old', () => {
    const sent = { sent: { content: 'a', at: now - 60_000 }, lastAttempt: { at: now - 60_000, ok: true } };
    expect(reportDue(sent, 'a', now)).toEqual({ due: false, at: now - 60_000 + REPORT_REFRESH_MS });
    expect(reportDue(sent, 'a', now - 60_000 + REPORT_REFRESH_MS)).toEqual({ due: true });
  });
});
