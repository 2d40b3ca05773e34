import { openStore, type StoreCorruption } from '@skillsync/store';
import type { storeVerifyOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { plural } from '../format.js';

export interface StoreVerifyData {
  readonly store: string;
  readonly checked: number;
  readonly corrupt: readonly StoreCorruption[];
  readonly repaired: boolean;
}

export const storeVerifyHandler = defineHandler({
  run: async ({ paths, options, progress }: CommandInput<typeof storeVerifyOptions>) => {
    const spinner = progress('re-hashing the store');
    spinner.update();
    const report = await openStore(paths.store).verify({ repair: options.repair }).finally(spinner.done);
    const data: StoreVerifyData = { store: paths.store, checked: report.checked, corrupt: report.corrupt, repaired: report.repaired };
    // A repaired store is consistent again, but the user still lost entries: say so with exit 1.
    return { ok: report.corrupt.length === 0, data };
  },
  render: (data: StoreVerifyData, ui) => {
    const lines = data.corrupt.map(
      (entry) =>
        `  ${ui.red('corrupt')} ${ui.bold(entry.name === undefined ? entry.integrity : `${entry.name}@${entry.version ?? '?'}`)} ${ui.dim(entry.reason)}: ${entry.message}`,
    );
    if (data.corrupt.length === 0) {
      if (!ui.quiet) lines.push(`${ui.green('✓')} ${plural(data.checked, 'package')} verified in ${data.store}`);
    } else {
      lines.push(
        `${ui.red(`${data.corrupt.length} of ${plural(data.checked, 'package')} corrupt`)}${
          data.repaired ? ': removed; run `skillsync install` to fetch them again' : ': run `skillsync store verify --repair`, then `skillsync install`'
        }`,
      );
    }
    return lines.join('\n');
  },
});
