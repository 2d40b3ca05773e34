/**
 * Maps `items` through `task` with at most `limit` tasks in flight, keeping the
 * input order in the result. File-heavy loops (hundreds of small stats and reads)
 * spend most of their time waiting for the thread pool when run one at a time.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
