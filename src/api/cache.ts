// How many files each finished job touched (matchedFiles without a filename
// criterion) costs a walk over the job's runs and edges; a finished job's
// files do not change, so the count is kept (bounded, LRU). Entries live at
// most `ttlMs` (writers in other processes: late agent batches) and are all
// dropped when this server aggregates anything.
// A count covers only the files a viewer may see, so entries are kept per
// `scope` (viewerKey: viewers who see the same nodes share it).
export class JobCountCache {
  private readonly map = new Map<string, { n: number; at: number }>();

  constructor(private readonly max = 200_000, private readonly ttlMs = 60_000) {}

  get(job: number, includeSoftware: boolean, scope: string): number | undefined {
    const k = `${job}:${includeSoftware ? 1 : 0}:${scope}`;
    const e = this.map.get(k);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttlMs) {
      this.map.delete(k);
      return undefined;
    }
    // LRU: move to the end
    this.map.delete(k);
    this.map.set(k, e);
    return e.n;
  }

  set(job: number, includeSoftware: boolean, scope: string, n: number): void {
    const k = `${job}:${includeSoftware ? 1 : 0}:${scope}`;
    this.map.delete(k);
    this.map.set(k, { n, at: Date.now() });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
