export interface RateLimiter {
  /** Spends one request of `key`'s allowance: undefined when allowed, else the seconds until one is available again. */
  take(key: string): number | undefined;
}

export interface RateLimiterOptions {
  readonly requestsPerMinute: number;
  /** Milliseconds, from the server's clock. */
  readonly now: () => number;
  /** Buckets kept at most; full ones are dropped first (a flood of new addresses must not grow memory). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: bursts up to a minute's allowance, refilled continuously. In
 * memory, per process: replicas behind a load balancer each allow the limit, which is
 * a limit against runaway clients, not a quota.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const capacity = Math.max(1, options.requestsPerMinute);
  const perMs = capacity / 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  const refilled = (bucket: Bucket, now: number): number => Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);

  const makeRoom = (now: number): void => {
    for (const [key, bucket] of buckets) if (refilled(bucket, now) >= capacity) buckets.delete(key);
    // Still full of busy keys: the longest-known go (a Map iterates in insertion order).
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  };

  return {
    take(key) {
      const now = options.now();
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys) makeRoom(now);
        bucket = { tokens: capacity, at: now };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = refilled(bucket, now);
        bucket.at = now;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    },
  };
}
