import { SkillsyncError } from '@skillsync/core';
import type { AuditFilter } from '@skillsync/policy';
import { API_PREFIX, auditExportQuery, auditQuery, runtimeAuditQuery, runtimeAuditUpload, type auditVerify } from '@skillsync/registry';
import type { z } from 'zod';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { jsonBody, queryOf, requireOwnOrg } from '../http/validate.js';
import { requireReporting } from '../identity/index.js';
import type { RouteModule } from '../server-context.js';
import { listRuntimeAudit, storeRuntimeBatch } from './runtime-audit.js';

const AUDIT_PATH = `${API_PREFIX}/orgs/:org/audit`;
/** Lines an export sends per chunk of the response, at most. */
const EXPORT_CHUNK_BYTES = 64 * 1024;

function filterOf(query: z.infer<typeof auditExportQuery>): AuditFilter {
  return {
    ...(query.since === undefined ? {} : { since: new Date(query.since) }),
    ...(query.until === undefined ? {} : { until: new Date(query.until) }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.principal === undefined ? {} : { principal: query.principal }),
  };
}

function cursorSeq(part: string | undefined): number {
  const seq = Number(part);
  if (!Number.isSafeInteger(seq) || seq < 0) throw new SkillsyncError('INVALID_INPUT', 'The cursor is not one this server gave out.', { hint: 'Pass `metadata.nextCursor` of the previous page unchanged.' });
  return seq;
}

/**
 * The org's admin audit log (readAudit): its records page by page (by seq), the whole
 * chain's verification, a JSON-lines export; and the runtime records devices upload
 * (reportStatus to upload, readAudit to read). Records come from the server's one
 * chain of every org's records; each org reads only its own.
 */
export const auditRoutes: RouteModule = (app, server) => {
  const log = server.audit;
  app.get(AUDIT_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readAudit');
    const query = queryOf(c, auditQuery);
    const afterSeq = query.cursor === undefined ? undefined : cursorSeq(decodeCursor(query.cursor, 1)[0]);
    const rows = await log.list({ ...filterOf(query), org: caller.org, limit: query.limit + 1, ...(afterSeq === undefined ? {} : { afterSeq }) });
    const page = pageOf(rows, query.limit, (record) => [String(record.seq)]);
    return c.json({ records: page.items, metadata: page.metadata });
  });

  // The chain is one for every org (the server's), so it is verified whole; only seq and kind of a problem are told.
  // The anchor says where a prune (`skillsync server audit prune`) left the chain's start.
  app.get(`${AUDIT_PATH}/verify`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readAudit');
    const { ok, checked, head, anchor, problem } = await log.verify();
    const body: z.infer<typeof auditVerify> = { ok, checked, head, anchor, ...(problem === undefined ? {} : { problem: { seq: problem.seq, kind: problem.kind } }) };
    return c.json(body);
  });

  app.get(`${AUDIT_PATH}/export`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readAudit');
    const filter = { ...filterOf(queryOf(c, auditExportQuery)), org: caller.org };
    const lines = log.exportJsonl(filter)[Symbol.asyncIterator]();
    // The first line is read before answering, so a database that fails answers with an error, not a cut stream.
    let first: IteratorResult<string> | undefined = await lines.next();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk = '';
        for (;;) {
          const next = first ?? (await lines.next());
          first = undefined;
          if (next.done === true) break;
          chunk += next.value;
          if (chunk.length >= EXPORT_CHUNK_BYTES) break;
        }
        if (chunk !== '') controller.enqueue(encoder.encode(chunk));
        if (chunk.length < EXPORT_CHUNK_BYTES) controller.close();
      },
      async cancel() {
        await lines.return?.();
      },
    });
    return c.body(body, 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${caller.org}-audit.jsonl"`,
    });
  });

  app.post(`${AUDIT_PATH}/runtime`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'reportStatus');
    await requireReporting(
      server.db,
      caller.org,
      'runtime audit records',
      'An org owner turns reporting on with settings.reporting (PATCH /orgs/{org}); until then devices keep their audit to themselves.',
    );
    const upload = await jsonBody(c, runtimeAuditUpload);
    return c.json(await storeRuntimeBatch(server, { org: caller.org, user: caller.user, device: upload.device, records: upload.records }));
  });

  app.get(`${AUDIT_PATH}/runtime`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readAudit');
    const query = queryOf(c, runtimeAuditQuery);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 3);
    const entries = await listRuntimeAudit(server.db, {
      org: caller.org,
      ...(query.user === undefined ? {} : { user: query.user }),
      ...(query.device === undefined ? {} : { device: query.device }),
      ...(after === undefined ? {} : { after: [after[0] ?? '', after[1] ?? '', cursorSeq(after[2])] as const }),
      limit: query.limit + 1,
    });
    const page = pageOf(entries, query.limit, (entry) => [entry.user, entry.device, String(entry.record.seq)]);
    return c.json({ records: page.items, metadata: page.metadata });
  });
};
