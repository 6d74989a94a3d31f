// Collections that cannot outgrow a cap, so a demo server running for months keeps a constant
// footprint however many sign-ins pass through it. Oldest entries go first: arrays hold records in
// arrival order, and a Map iterates in insertion order.

/** Appends and drops the oldest entries beyond `cap` (a ring of the most recent `cap`), in place. */
export function pushBounded<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

/** Drops the oldest entries of `map` beyond `cap`, telling `onEvict` about each one. */
export function trimOldest<K, V>(map: Map<K, V>, cap: number, onEvict: (value: V) => void = () => undefined): void {
  for (const [key, value] of map) {
    if (map.size <= cap) return;
    map.delete(key);
    onEvict(value);
  }
}
