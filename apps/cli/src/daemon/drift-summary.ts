import type { DriftedItem } from './contract.js';

/**
 * The drifted items that count: an `ignored` one (its kind's drift action is `off`) is
 * listed for whoever looks, but neither makes the health `drift` nor adds to a count.
 * The daemon, the CLI, the tray and the dashboard all count with this, so they agree.
 */
export function activeDrift(drift: readonly DriftedItem[]): readonly DriftedItem[] {
  return drift.filter((item) => item.handling !== 'ignored');
}
