/**
 * When each (site, rule) next needs a look without new data: the end of a raise-after or
 * clear-after window, or the moment a silent device counts as offline. A binary min-heap with lazy
 * deletion, so the engine runs one timer for any number of pending windows. Scheduling a later time
 * for a key that already waits for an earlier one keeps the earlier entry (the engine re-evaluates
 * then and schedules again), which keeps the heap at about one entry per key.
 */

interface Entry {
  readonly at: number;
  readonly key: string;
}

export class DeadlineQueue {
  private readonly heap: Entry[] = [];
  /** The live deadline of each key; heap entries that disagree are stale and skipped. */
  private readonly due = new Map<string, number>();

  /** Keys waiting. */
  get size(): number {
    return this.due.size;
  }

  /** The earliest live deadline (epoch ms), or undefined. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /**
   * Makes `key` due at `at` (epoch ms) unless it is already due earlier; `undefined` cancels it.
   * Returns true when the earliest deadline of the queue may have moved earlier.
   */
  schedule(key: string, at: number | undefined): boolean {
    if (at === undefined) {
      this.due.delete(key);
      return false;
    }
    const current = this.due.get(key);
    if (current !== undefined && current <= at) return false;
    this.due.set(key, at);
    this.push({ at, key });
    return true;
  }

  /** Replaces the key's deadline (earlier or later); `undefined` cancels it. */
  reschedule(key: string, at: number | undefined): void {
    this.due.delete(key);
    this.schedule(key, at);
  }

  /** Removes and returns the keys due at or before `now`, earliest first. */
  takeDue(now: number): string[] {
    const keys: string[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) return keys;
      this.pop();
      this.due.delete(top.key);
      keys.push(top.key);
    }
  }

  clear(): void {
    this.heap.length = 0;
    this.due.clear();
  }

  private dropStale(): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || this.due.get(top.key) === top.at) return;
      this.pop();
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!parent || parent.at <= entry.at) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      let smallestAt = last.at;
      const leftEntry = heap[left];
      const rightEntry = heap[right];
      if (leftEntry && leftEntry.at < smallestAt) {
        smallest = left;
        smallestAt = leftEntry.at;
      }
      if (rightEntry && rightEntry.at < smallestAt) smallest = right;
      if (smallest === index) break;
      const child = heap[smallest];
      if (!child) break;
      heap[index] = child;
      index = smallest;
    }
    heap[index] = last;
  }
}
