// Open file descriptions and per-process fd tables, as the kernel keeps them:
// several fds (dup) and several processes (fork) may share one description.

export type DescKind = 'file' | 'dir' | 'pipe' | 'unknown';

export interface OpenDesc {
  kind: DescKind;
  /** Absolute path, or a pipe's name (pipe:[...]). */
  path: string;
  /** open(2) flags; 0 for pipes and unknowns. */
  flags: number;
  /** For pipes: true on the write end. */
  pipeWriteEnd?: boolean;
  dev?: number;
  ino?: number;
  openedTs: number;
}

interface FdEntry {
  desc: OpenDesc;
  cloexec: boolean;
}

export class FdTable {
  private readonly fds = new Map<number, FdEntry>();

  get(fd: number): OpenDesc | undefined {
    return this.fds.get(fd)?.desc;
  }

  set(fd: number, desc: OpenDesc, cloexec: boolean): void {
    this.fds.set(fd, { desc, cloexec });
  }

  /** Removes fd; returns its description if no other fd here still holds it. */
  close(fd: number): OpenDesc | undefined {
    const entry = this.fds.get(fd);
    if (!entry) return undefined;
    this.fds.delete(fd);
    return this.holds(entry.desc) ? undefined : entry.desc;
  }

  holds(desc: OpenDesc): boolean {
    for (const e of this.fds.values()) if (e.desc === desc) return true;
    return false;
  }

  setCloexec(fd: number, cloexec: boolean): void {
    const entry = this.fds.get(fd);
    if (entry) entry.cloexec = cloexec;
  }

  /** fds in [first, last] that are open. */
  fdsInRange(first: number, last: number): number[] {
    return [...this.fds.keys()].filter((fd) => fd >= first && fd <= last);
  }

  /** Closes every close-on-exec fd; returns descriptions no longer held. */
  closeOnExec(): OpenDesc[] {
    const released: OpenDesc[] = [];
    for (const [fd, entry] of [...this.fds]) {
      if (!entry.cloexec) continue;
      const desc = this.close(fd);
      if (desc) released.push(desc);
    }
    return released;
  }

  descriptions(): Set<OpenDesc> {
    return new Set([...this.fds.values()].map((e) => e.desc));
  }

  /** fork(2): a copy sharing the same descriptions. */
  clone(): FdTable {
    const copy = new FdTable();
    for (const [fd, e] of this.fds) copy.fds.set(fd, { ...e });
    return copy;
  }
}
