import { buildPackage } from '@skillsync/store/test-support';
import { readPackage } from '@skillsync/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServer, SERVER_ENGINES, type TestServer } from '../test-support/test-server.js';

/** Found by test/server/api-fuzz.test.ts: a NUL in the description was a 500 on PostgreSQL (which cannot store it) and stored on SQLite. */
describe.each(SERVER_ENGINES)('publishing a package whose description holds a NUL character on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  it('is refused with 400 SKILL_DESCRIPTION_INVALID, and nothing is written', async () => {
    const org = await server.newOrg();
    const tarball = buildPackage([], '---\nname: nul-skill\ndescription: "bad \\0 here"\nmetadata:\n  version: "1.0.0"\n---\n\nDo it.\n');
    const { integrity } = await readPackage(tarball);
    const response = await server.app.request(`/v0.1/orgs/${org.org}/skills/nul-skill/versions/1.0.0`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${org.ownerToken}`, 'content-type': 'application/gzip', 'x-skillsync-integrity': integrity },
      body: tarball,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'SKILL_DESCRIPTION_INVALID' } });
    expect(await server.context.db.selectFrom('skills').select('name').where('org', '=', org.org).execute()).toEqual([]);
    expect(await server.context.blobs.get(integrity)).toBeUndefined();
  });
});
