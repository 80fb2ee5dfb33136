/**
 * A memory governor for long captures: V8 lets its old generation grow to
 * several times the live data before a full collection (on the 387 MB
 * handshake-heavy bench capture: about 26 MB live, 100 MB of heap, 165-235 MB
 * peak RSS across runs). Per-flow objects live long enough to be promoted and
 * then die there, so the growth is garbage. Called between capture chunks,
 * `check()` runs a full collection once the heap in use passes a limit, then
 * sets the next limit at twice what survived (never below the floor): as with
 * Go's GOGC=100, the collections stay proportional to the live data, so a
 * command that keeps every session (list, diagnose) pays a few of them, and a
 * streamed export stays near the floor. The terminal UI does without it (see
 * AnalyzeOptions.heapGovernor): what it keeps is live, and a full collection
 * is a pause. On the bench capture: three
 * collections, about 50 ms, and 145-155 MB peak RSS instead of 165-235 MB.
 *
 * The collector is reached through `--expose-gc` set at run time (node:v8)
 * and a fresh context (node:vm); where that is refused, check() does nothing.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const HEAP_FLOOR = 48 * 1024 * 1024;

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collect = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

export class HeapGovernor {
  private limit: number;
  /** Full collections run so far. */
  collections = 0;

  constructor(private readonly floor = HEAP_FLOOR) {
    this.limit = floor;
  }

  check(): void {
    if (getHeapStatistics().used_heap_size <= this.limit) return;
    const gc = collector();
    if (gc === null) {
      this.limit = Infinity;
      return;
    }
    gc();
    this.collections++;
    this.limit = Math.max(this.floor, 2 * getHeapStatistics().used_heap_size);
  }
}
