import type { ChainPoint } from '@skillsync/policy';

/**
 * Where the runtime audit upload to one registry stands, kept in
 * `<state>/daemon-audit-upload.json` so a restarted daemon goes on where it was.
 */
export interface UploadCursor {
  /** The device name the records went up under: a new name is a new chain on the server. */
  readonly device: string;
  /** The device's last record the server said it holds: the next batch chains from it. */
  readonly acknowledged?: ChainPoint;
  /** Uploading stopped (a refused batch, records lost before upload) until the local chain's start moves. */
  readonly stopped?: { readonly reason: string; readonly start: ChainPoint };
}

/** The local log: the point its oldest record chains from (seq 0 before any prune, else the prune's anchor) and its head. */
export interface LocalChain {
  readonly start: ChainPoint;
  readonly head: ChainPoint;
}

export type UploadStep =
  | { readonly kind: 'idle' }
  | { readonly kind: 'stopped' }
  /** Read and send the records after `afterSeq`. */
  | { readonly kind: 'upload'; readonly afterSeq: number }
  /** The server cannot take what is left (a gap, a replaced log): stop with `reason`. */
  | { readonly kind: 'broken'; readonly reason: string };

/** What to do next (pure). `local` is undefined while the log holds no record. */
export function nextUpload(cursor: UploadCursor | undefined, device: string, local: LocalChain | undefined): UploadStep {
  if (local === undefined || local.head.seq === 0) return { kind: 'idle' };
  const own = cursor?.device === device ? cursor : undefined;
  if (own?.stopped !== undefined && samePoint(own.stopped.start, local.start)) return { kind: 'stopped' };
  const acknowledged = own?.acknowledged;
  // First upload of this device (or the server's head is to be learnt again): the server takes its first batch from anywhere.
  if (acknowledged === undefined) return { kind: 'upload', afterSeq: local.start.seq };
  if (local.head.seq < acknowledged.seq || (local.head.seq === acknowledged.seq && local.head.hash !== acknowledged.hash)) {
    return { kind: 'broken', reason: `the local audit log was replaced since it was uploaded (its head is seq ${local.head.seq}; the server holds this device's records up to seq ${acknowledged.seq})` };
  }
  if (local.start.seq > acknowledged.seq) {
    return {
      kind: 'broken',
      reason: `records ${acknowledged.seq + 1}–${local.start.seq} were pruned from the local audit log before they were uploaded, and the server takes no gap in a device's chain`,
    };
  }
  if (local.head.seq === acknowledged.seq) return { kind: 'idle' };
  return { kind: 'upload', afterSeq: acknowledged.seq };
}

/** After a batch went up: the server's head for this device is where the next one starts. */
export function afterUpload(device: string, head: ChainPoint): UploadCursor {
  return { device, acknowledged: head };
}

/**
 * After the server refused a batch (INTEGRITY_MISMATCH, INVALID_INPUT) or the step found
 * the chain broken. A batch sent from the saved cursor that the server found missing
 * records (the server holds less than the cursor says: a restored server, a cursor file
 * from elsewhere) is tried once more from the oldest local record, which the server takes
 * as a retry of what it holds and answers with its head. Anything else stops the upload
 * until the local chain's start moves (a prune, a new log).
 */
export function afterRefusal(cursor: UploadCursor | undefined, device: string, local: LocalChain, refused: { readonly code: string; readonly reason: string; readonly afterSeq?: number }): UploadCursor {
  const acknowledged = cursor?.device === device ? cursor.acknowledged : undefined;
  if (refused.code === 'INVALID_INPUT' && acknowledged !== undefined && refused.afterSeq !== undefined && refused.afterSeq !== local.start.seq) return { device };
  return { device, ...(acknowledged === undefined ? {} : { acknowledged }), stopped: { reason: refused.reason, start: local.start } };
}

function samePoint(a: ChainPoint, b: ChainPoint): boolean {
  return a.seq === b.seq && a.hash === b.hash;
}
