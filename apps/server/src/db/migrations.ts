import type { StateDialect, StateModule } from '@skillsync/state';
import { sql, type Kysely } from 'kysely';

/**
 * The server's schema, in the state layer's migration form so SQLite and PostgreSQL run
 * the same steps. Only the binary column and the collation of key text differ by engine.
 * Never edit a released step: add one.
 */
export function serverStateModule(dialect: StateDialect): StateModule {
  const binary = dialect === 'postgres' ? 'bytea' : 'blob';
  // Names, ids and versions sort and page by their bytes on both engines. SQLite compares
  // text so; PostgreSQL by the database's collation (en_US puts `Zeta` after `alpha` and
  // `a_b` before `a-b`, bytes the other way round), so those columns are collated "C" there.
  const keyText = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  return {
    name: 'server',
    migrations: [
      {
        name: '001-identity',
        up: async (db: Kysely<unknown>) => {
          await db.schema.createTable('users').addColumn('user', keyText, (c) => c.primaryKey()).addColumn('created_at', 'text', (c) => c.notNull()).execute();
          await db.schema
            .createTable('orgs')
            .addColumn('org', keyText, (c) => c.primaryKey())
            .addColumn('settings', 'text', (c) => c.notNull())
            .addColumn('created_at', 'text', (c) => c.notNull())
            .execute();
          await db.schema
            .createTable('org_members')
            .addColumn('org', keyText, (c) => c.notNull().references('orgs.org').onDelete('cascade'))
            .addColumn('user', keyText, (c) => c.notNull().references('users.user'))
            .addColumn('role', 'text', (c) => c.notNull())
            .addColumn('created_at', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('org_members_pk', ['org', 'user'])
            .execute();
          await db.schema
            .createTable('teams')
            .addColumn('org', keyText, (c) => c.notNull().references('orgs.org').onDelete('cascade'))
            .addColumn('team', keyText, (c) => c.notNull())
            .addColumn('description', 'text')
            .addColumn('created_at', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('teams_pk', ['org', 'team'])
            .execute();
          await db.schema
            .createTable('team_members')
            .addColumn('org', keyText, (c) => c.notNull())
            .addColumn('team', keyText, (c) => c.notNull())
            .addColumn('user', keyText, (c) => c.notNull())
            .addColumn('role', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('team_members_pk', ['org', 'team', 'user'])
            .addForeignKeyConstraint('team_members_team_fk', ['org', 'team'], 'teams', ['org', 'team'], (c) => c.onDelete('cascade'))
            .addForeignKeyConstraint('team_members_member_fk', ['org', 'user'], 'org_members', ['org', 'user'], (c) => c.onDelete('cascade'))
            .execute();
          await db.schema
            .createTable('tokens')
            .addColumn('id', keyText, (c) => c.primaryKey())
            .addColumn('org', keyText, (c) => c.notNull())
            .addColumn('user', keyText, (c) => c.notNull())
            .addColumn('name', 'text', (c) => c.notNull())
            .addColumn('hash', 'text', (c) => c.notNull().unique())
            .addColumn('scopes', 'text', (c) => c.notNull())
            .addColumn('created_at', 'text', (c) => c.notNull())
            .addColumn('expires_at', 'text', (c) => c.notNull())
            .addColumn('last_used_at', 'text')
            .addColumn('revoked_at', 'text')
            .addForeignKeyConstraint('tokens_member_fk', ['org', 'user'], 'org_members', ['org', 'user'], (c) => c.onDelete('cascade'))
            .execute();
          await db.schema.createIndex('tokens_org_user').on('tokens').columns(['org', 'user']).execute();
        },
      },
      {
        name: '002-registry',
        up: async (db: Kysely<unknown>) => {
          await db.schema
            .createTable('skills')
            .addColumn('org', keyText, (c) => c.notNull().references('orgs.org').onDelete('cascade'))
            .addColumn('name', keyText, (c) => c.notNull())
            .addColumn('description', 'text', (c) => c.notNull())
            .addColumn('visibility', keyText, (c) => c.notNull())
            .addColumn('created_at', 'text', (c) => c.notNull())
            .addColumn('updated_at', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('skills_pk', ['org', 'name'])
            .execute();
          await db.schema.createIndex('skills_org_updated').on('skills').columns(['org', 'updated_at']).execute();
          await db.schema
            .createTable('skill_versions')
            .addColumn('org', keyText, (c) => c.notNull())
            .addColumn('name', keyText, (c) => c.notNull())
            .addColumn('version', keyText, (c) => c.notNull())
            .addColumn('integrity', 'text', (c) => c.notNull())
            .addColumn('size', 'integer', (c) => c.notNull())
            .addColumn('description', 'text', (c) => c.notNull())
            .addColumn('signature', 'text')
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('status_message', 'text')
            .addColumn('published_at', 'text', (c) => c.notNull())
            .addColumn('published_by', 'text', (c) => c.notNull())
            .addColumn('updated_at', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('skill_versions_pk', ['org', 'name', 'version'])
            .addForeignKeyConstraint('skill_versions_skill_fk', ['org', 'name'], 'skills', ['org', 'name'], (c) => c.onDelete('cascade'))
            .execute();
          await db.schema
            .createTable('dist_tags')
            .addColumn('org', keyText, (c) => c.notNull())
            .addColumn('name', keyText, (c) => c.notNull())
            .addColumn('tag', keyText, (c) => c.notNull())
            .addColumn('version', keyText, (c) => c.notNull())
            .addPrimaryKeyConstraint('dist_tags_pk', ['org', 'name', 'tag'])
            .addForeignKeyConstraint('dist_tags_version_fk', ['org', 'name', 'version'], 'skill_versions', ['org', 'name', 'version'], (c) => c.onDelete('cascade'))
            .execute();
          await db.schema
            .createTable('blobs')
            .addColumn('integrity', keyText, (c) => c.primaryKey())
            .addColumn('bytes', binary, (c) => c.notNull())
            .addColumn('size', 'integer', (c) => c.notNull())
            .execute();
          await db.schema
            .createTable('catalogue')
            .addColumn('org', keyText, (c) => c.notNull().references('orgs.org').onDelete('cascade'))
            .addColumn('name', keyText, (c) => c.notNull())
            .addColumn('version', 'text', (c) => c.notNull())
            .addColumn('server_json', 'text', (c) => c.notNull())
            .addColumn('updated_at', 'text', (c) => c.notNull())
            .addColumn('updated_by', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('catalogue_pk', ['org', 'name'])
            .execute();
        },
      },
      {
        name: '003-profiles-reports',
        up: async (db: Kysely<unknown>) => {
          await db.schema
            .createTable('profiles')
            .addColumn('org', keyText, (c) => c.notNull().references('orgs.org').onDelete('cascade'))
            .addColumn('scope', keyText, (c) => c.notNull())
            .addColumn('revision', 'integer', (c) => c.notNull())
            .addColumn('profile', 'text', (c) => c.notNull())
            .addColumn('updated_at', 'text', (c) => c.notNull())
            .addColumn('updated_by', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('profiles_pk', ['org', 'scope'])
            .execute();
          await db.schema
            .createTable('reports')
            .addColumn('org', keyText, (c) => c.notNull())
            .addColumn('user', keyText, (c) => c.notNull())
            .addColumn('device', keyText, (c) => c.notNull())
            .addColumn('report', 'text', (c) => c.notNull())
            .addColumn('reported_at', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('reports_pk', ['org', 'user', 'device'])
            .addForeignKeyConstraint('reports_member_fk', ['org', 'user'], 'org_members', ['org', 'user'], (c) => c.onDelete('cascade'))
            .execute();
        },
      },
      {
        // No key to org_members: a removed member's records stay as evidence.
        name: '004-runtime-audit',
        up: async (db: Kysely<unknown>) => {
          await db.schema
            .createTable('runtime_audit')
            .addColumn('org', keyText, (c) => c.notNull().references('orgs.org').onDelete('cascade'))
            .addColumn('user', keyText, (c) => c.notNull())
            .addColumn('device', keyText, (c) => c.notNull())
            .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
            .addColumn('hash', 'text', (c) => c.notNull())
            .addColumn('record', 'text', (c) => c.notNull())
            .addColumn('received_at', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('runtime_audit_pk', ['org', 'user', 'device', 'seq'])
            .execute();
        },
      },
    ],
  };
}
