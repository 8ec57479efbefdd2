export type { Availability, BackendName, TraceOutcome, TraceRequest, TracerBackend } from './backend.js';
export * from './raw-record.js';
export { backends, selectBackend, type Selection } from './select-backend.js';
