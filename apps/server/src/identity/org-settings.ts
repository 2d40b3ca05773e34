import { SkillsyncError } from '@skillsync/core';
import { orgSettings, type OrgSettings } from '@skillsync/registry';
import { parsePublicKey } from '@skillsync/store';
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/tables.js';

/** A new org: unsigned packages accepted, no status reports, no trusted keys. */
export const DEFAULT_ORG_SETTINGS: OrgSettings = { requireSignatures: false, reporting: false, trustedKeys: [] };

/** The org's settings, or undefined when there is no such org. `db` may be a transaction. */
export async function readOrgSettings(db: Kysely<ServerTables>, org: string): Promise<OrgSettings | undefined> {
  const row = await db.selectFrom('orgs').select('settings').where('org', '=', org).executeTakeFirst();
  if (row === undefined) return undefined;
  const parsed = orgSettings.safeParse(JSON.parse(row.settings));
  // Only this server writes the column, always through the schema: anything else is damage, not input.
  if (!parsed.success) throw new Error(`The settings of org ${org} in the database do not match the schema.`);
  return parsed.data;
}

/** Refuses (SERVER_FORBIDDEN) what members send only when the org collects it: status reports and runtime audit records. */
export async function requireReporting(db: Kysely<ServerTables>, org: string, what: string, hint: string): Promise<void> {
  const settings = await readOrgSettings(db, org);
  if (settings?.reporting !== true) throw new SkillsyncError('SERVER_FORBIDDEN', `The org ${org} does not collect ${what}.`, { hint });
}

/** Every trusted key must be an ed25519 public key the signature check can use (KEY_INVALID naming the entry otherwise). */
export function checkTrustedKeys(keys: OrgSettings['trustedKeys']): void {
  keys.forEach((key, index) => {
    try {
      parsePublicKey(key.publicKey);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SkillsyncError('KEY_INVALID', `trustedKeys.${index}${key.name === undefined ? '' : ` (${key.name})`}: ${reason}`, { details: { index }, cause: error });
    }
  });
}
