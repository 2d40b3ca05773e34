import type { SecretStore } from '@skillsync/secrets';
import { planImport, type ImportPlan, type PlanImportInput } from '@skillsync/sync';

/**
 * `planImport` with the values of the secret store, which it compares with the
 * credentials it finds (the same value keeps its stored name). Only the secrets the plan
 * asks about are decrypted, since a keychain may prompt for each: plan, read what it
 * asked for, and plan again until it asks for nothing new.
 */
export async function planImportWithSecrets(input: Omit<PlanImportInput, 'secretValue'>, secrets: SecretStore): Promise<ImportPlan> {
  const storedNames = new Set((await secrets.list()).map((secret) => secret.name));
  const stored = new Map<string, string | undefined>();
  for (;;) {
    const asked = new Set<string>();
    const plan = planImport({
      ...input,
      secretValue: (name) => {
        asked.add(name);
        return stored.get(name);
      },
    });
    const unread = [...asked].filter((name) => storedNames.has(name) && !stored.has(name));
    if (unread.length === 0) return plan;
    for (const name of unread) stored.set(name, await secrets.get(name));
  }
}
