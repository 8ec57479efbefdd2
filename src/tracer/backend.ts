import type { RawRecord } from './raw-record.js';

export type BackendName = 'ebpf' | 'ptrace';

export interface TraceRequest {
  /** Absolute path of the executable, already resolved through PATH. */
  file: string;
  /** argv as the program will see it (argv[0] included). */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Called for every record, in the order the backend saw them. */
  onRecord(record: RawRecord): void;
  /** Called once the command has been started (for signal forwarding). */
  onStarted?(rootPid: number): void;
  /**
   * After the root process exits, how long to keep tracing descendants that
   * are still alive (daemons) before stopping and reporting them.
   */
  lingerMs: number;
}

export interface TraceOutcome {
  rootPid: number;
  /** Exit code of the root process, or null if a signal ended it. */
  exitCode: number | null;
  /** Signal number that ended the root process, or null. */
  signal: number | null;
  /** Records the backend knows it lost (also sent as `lost` records). */
  lost: number;
}

export interface Availability {
  ok: boolean;
  /** Short reason, shown to the user when auto-selection explains itself. */
  reason: string;
}

export interface TracerBackend {
  readonly name: BackendName;
  available(): Promise<Availability>;
  /**
   * Start the command under tracing and resolve when tracing has stopped and
   * every record has been delivered to onRecord. The command's stdin, stdout
   * and stderr are the caller's own (inherited, untouched).
   */
  trace(request: TraceRequest): Promise<TraceOutcome>;
}
