import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './map-concurrent.js';

describe('mapConcurrent', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapConcurrent([5, 1, 4, 2, 3], 2, async (value, index) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, value * 3));
      running -= 1;
      return `${index}:${value}`;
    });
    expect(result).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(peak).toBe(2);
  });

  it('handles an empty list and rejects with the first failure', async () => {
    expect(await mapConcurrent([], 4, () => Promise.resolve(1))).toEqual([]);
    await expect(mapConcurrent([1, 2], 4, (value) => (value === 2 ? Promise.reject(new Error('two')) : Promise.resolve(value)))).rejects.toThrow('two');
  });
});
