// Decoded session entries, remembered by the exact text they were decoded from. Every read still
// asks Redis, so an entry ended anywhere is gone for every instance from the next read; what is
// saved is decoding the same text again (JSON.parse, the short names renamed back, and the objects
// both make), which was the largest part of a check after the Redis client (docs/internals-performance.md).
// An entry is reused only when the text Redis just answered is the text it was decoded from.
// Decoded entries are frozen, since one may be handed to several requests: code that changed one
// in place would throw instead of leaking a change into another request.
import { parseEntry, type SessionEntry } from "./session-entries.js";

/** About 3 KB each (the text and its objects): a few MB for the sessions in use right now. */
const MAX_REMEMBERED = 2_000;

export class DecodedEntries {
  private readonly bySession = new Map<string, SessionEntry>();

  /** The entry Redis answered for `sessionId` as `raw`, or null when there is none or it is damaged. */
  decode(sessionId: string, raw: string | null | undefined): SessionEntry | null {
    const known = this.bySession.get(sessionId);
    if (known !== undefined && known.raw === raw) return known;
    if (known !== undefined) this.bySession.delete(sessionId);
    const entry = parseEntry(raw);
    if (entry === null) return null;
    // The oldest remembered entry makes room: a Map keeps its keys in the order they were added.
    if (this.bySession.size >= MAX_REMEMBERED) this.bySession.delete(this.bySession.keys().next().value!);
    this.bySession.set(sessionId, deepFreeze(entry));
    return entry;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
}
