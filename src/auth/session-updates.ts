// Changing a signed-in session after sign-in: read the stored entry, apply a change, write it back
// only if nobody changed it meanwhile (compare-and-set), otherwise re-read and apply again. A
// change is a function of the *current* record, so a concurrent refresh is never overwritten; an
// ended session is never written back.
import type { SessionEntries } from "../store/session-entries.js";
import type { SignedInRecord } from "./session-record.js";

const MAX_ATTEMPTS = 10;

/** The record as stored now, or null when the session has ended. */
export async function readRecord(entries: SessionEntries, sessionId: string): Promise<SignedInRecord | null> {
  return (await entries.read(sessionId))?.data.auth ?? null;
}

/**
 * Applies `change` to the stored record. Returns the record as written, or null when the session
 * ended (then nothing is written). `change` may return null to leave the entry as it is.
 */
export async function updateRecord(
  entries: SessionEntries,
  sessionId: string,
  change: (current: SignedInRecord) => SignedInRecord | null,
): Promise<SignedInRecord | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const entry = await entries.read(sessionId);
    const current = entry?.data.auth;
    if (!entry || !current) return null;
    const next = change(current);
    if (next === null) return current;
    if (await entries.replace(sessionId, entry, { ...entry.data, auth: next })) return next;
  }
  throw new Error(`session ${sessionId.slice(0, 6)}…: too many concurrent changes`);
}
