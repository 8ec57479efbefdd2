export type IngestErrorCode = 'E_INGEST_INVALID' | 'E_INGEST_TOO_LARGE' | 'E_INGEST_BATCH' | 'E_INGEST_CONFLICT' | 'E_INGEST_IO';

/** A rejected batch: nothing of it was written. `index` is the 0-based event index. */
export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly index?: number,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
