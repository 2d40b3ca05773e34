import { API_PREFIX, serverJson, skillSearchQuery, type catalogueEntry, type ServerJson } from '@skillsync/registry';
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import { writeTransaction } from '../db/server-transaction.js';
import type { CatalogueTable } from '../db/tables.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { jsonBody, notFound, pathParam, queryOf, requireOwnOrg } from '../http/validate.js';
import type { RouteModule } from '../server-context.js';
import { containsIgnoringCase, storedTimestamp } from './list-filters.js';

const SERVERS_PATH = `${API_PREFIX}/orgs/:org/servers`;
/** `{serverName}` is `namespace/name`, so its slash arrives encoded (`%2F`); the router matches before decoding. */
const SERVER_PATH = `${SERVERS_PATH}/:serverName`;

type CatalogueEntry = z.infer<typeof catalogueEntry>;

/**
 * The org's catalogue of approved connectors, as MCP Registry `server.json` entries (one
 * version per server: the approved one). Every member reads it; owners and admins edit it.
 */
export const catalogueRoutes: RouteModule = (app, server) => {
  app.get(SERVERS_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readOrg');
    const { search, updated_since: since, cursor, limit } = queryOf(c, skillSearchQuery);
    // As the MCP Registry's `search`: a substring of the server name.
    let select = server.db.selectFrom('catalogue').selectAll().where('org', '=', caller.org);
    if (search !== undefined && search !== '') select = select.where(containsIgnoringCase('name', search));
    if (since !== undefined) select = select.where('updated_at', '>=', storedTimestamp(since));
    if (cursor !== undefined) select = select.where('name', '>', decodeCursor(cursor, 1)[0] ?? '');
    const rows = await select.orderBy('name').limit(limit + 1).execute();
    const page = pageOf(rows, limit, (row) => [row.name]);
    return c.json({ servers: page.items.map(entryOf), metadata: page.metadata });
  });

  app.get(`${SERVER_PATH}/versions/latest`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readOrg');
    const name = pathParam(c, 'serverName', serverJson.shape.name);
    const row = await server.db.selectFrom('catalogue').selectAll().where('org', '=', caller.org).where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw notFound('server', name);
    return c.json(entryOf(row));
  });

  app.put(SERVERS_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'manageCatalogue');
    const entry = await jsonBody(c, serverJson);
    const row = { org: caller.org, name: entry.name, version: entry.version, server_json: JSON.stringify(entry), updated_at: server.now().toISOString(), updated_by: caller.user };
    const created = await writeTransaction(server, async (db) => {
      const existing = await db.selectFrom('catalogue').select('name').where('org', '=', caller.org).where('name', '=', entry.name).executeTakeFirst();
      await db
        .insertInto('catalogue')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['org', 'name']).doUpdateSet({ version: row.version, server_json: row.server_json, updated_at: row.updated_at, updated_by: row.updated_by }),
        )
        .execute();
      return existing === undefined;
    });
    return c.json(entryOf(row), created ? 201 : 200);
  });

  app.delete(SERVER_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'manageCatalogue');
    const name = pathParam(c, 'serverName', serverJson.shape.name);
    const deleted = await server.db.deleteFrom('catalogue').where('org', '=', caller.org).where('name', '=', name).executeTakeFirst();
    if (deleted.numDeletedRows === 0n) throw notFound('server', name);
    return c.body(null, 204);
  });
};

function entryOf(row: Selectable<CatalogueTable>): CatalogueEntry {
  return {
    server: JSON.parse(row.server_json) as ServerJson,
    _meta: { 'dev.skillsync/catalogue': { updatedAt: row.updated_at, updatedBy: row.updated_by } },
  };
}
