import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

describe('createRateLimiter', () => {
  it('allows a burst of a minute, then one request per refill', () => {
    let now = 0;
    const limiter = createRateLimiter({ requestsPerMinute: 60, now: () => now });
    for (let i = 0; i < 60; i += 1) expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('a')).toBe(1);
    now += 1000;
    expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBeUndefined();
  });

  it('never refills past a full bucket', () => {
    let now = 0;
    const limiter = createRateLimiter({ requestsPerMinute: 2, now: () => now });
    limiter.take('a');
    now += 3_600_000;
    expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('a')).toBe(30);
  });

  it('forgets full buckets first when it holds too many keys', () => {
    let now = 0;
    const limiter = createRateLimiter({ requestsPerMinute: 1, now: () => now, maxKeys: 2 });
    expect(limiter.take('busy')).toBeUndefined();
    now += 60_000;
    expect(limiter.take('idle')).toBeUndefined();
    now += 1;
    // `busy` refilled and is dropped to make room; `idle` is still empty and kept.
    expect(limiter.take('new')).toBeUndefined();
    expect(limiter.take('idle')).toBe(60);
    expect(limiter.take('busy')).toBeUndefined();
  });
});
