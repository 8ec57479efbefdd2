export { ingest, ingestBatches, type IngestOptions, type IngestResult, type BatchResult } from './ingest.js';
export { ingestNdjsonFile, readNdjsonLines, type NdjsonFileOptions } from './ndjson-file.js';
export { validateEvents, ndjsonLines, MAX_EVENT_CHARS, type BatchInput, type ValidatedBatch } from './validate-batch.js';
export { IngestError, type IngestErrorCode } from './errors.js';
export { BatchWriter, type BatchWriterOptions } from './batch-writer.js';
