import { BackendUnavailableError } from '../core/errors.js';
import type { BackendName, TracerBackend } from './backend.js';
import { ebpfBackend } from './ebpf/ebpf-backend.js';
import { ptraceBackend } from './ptrace/strace-backend.js';

export const backends: Record<BackendName, TracerBackend> = { ebpf: ebpfBackend, ptrace: ptraceBackend };

export interface Selection {
  backend: TracerBackend;
  /** One short line for stderr: which backend and why. */
  reason: string;
}

/** `auto` takes eBPF when it can run here, ptrace otherwise. */
export async function selectBackend(choice: BackendName | 'auto'): Promise<Selection> {
  if (choice !== 'auto') {
    const backend = backends[choice];
    const avail = await backend.available();
    if (!avail.ok) throw new BackendUnavailableError(choice, avail.reason);
    return { backend, reason: `${choice} (asked for)` };
  }
  const ebpf = await ebpfBackend.available();
  if (ebpf.ok) return { backend: ebpfBackend, reason: `eBPF (${ebpf.reason})` };
  const ptrace = await ptraceBackend.available();
  if (!ptrace.ok) {
    throw new BackendUnavailableError('auto', `eBPF: ${ebpf.reason}; ptrace: ${ptrace.reason}`);
  }
  return { backend: ptraceBackend, reason: `ptrace, because eBPF is unavailable: ${ebpf.reason}` };
}
