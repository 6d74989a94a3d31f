// How a session entry is written as text: its field names shortened, since a signed-in session
// spells out some twenty of them (`accessTokenExpiresAt`, `profileFetchedAt`, …) and every one is
// Redis memory kept for every session. The renaming is a fixed one-to-one table applied to every
// object key, so it reverses exactly, and a field it does not know is kept under its own name.
// An entry is a JSON array, ["s2", {…}]; anything else reads as no session. A field named like one
// of the short names would not reverse: writing one is a programming error, refused loudly.

const COMPACT_TAG = "s2";

const SHORT_NAMES: Record<string, string> = {
  auth: "a",
  user: "u",
  login: "l",
  name: "n",
  email: "e",
  avatarUrl: "av",
  htmlUrl: "h",
  company: "c",
  location: "lo",
  bio: "b",
  createdAt: "ca",
  profileEtag: "pe",
  profileFetchedAt: "pf",
  access: "ac",
  signedInAt: "si",
  github: "g",
  clientType: "ct",
  scopes: "sc",
  sealedTokens: "t",
  accessTokenExpiresAt: "ax",
  refreshTokenExpiresAt: "rx",
  userAgent: "ua",
};
const LONG_NAMES: Record<string, string> = Object.fromEntries(Object.entries(SHORT_NAMES).map(([long, short]) => [short, long]));

/** The entry's text. Throws when a key of the data is itself a short name (it would not read back). */
export function encodeCompact(data: object): string {
  const renamed = rename(data, SHORT_NAMES, LONG_NAMES);
  if (renamed === null) throw new Error("a session field is named like one of the entry codec's short names; rename the field");
  return JSON.stringify([COMPACT_TAG, renamed]);
}

/** What `parsed` (JSON.parse of an entry) holds, renamed back; null when it is not an entry. */
export function decodeCompact(parsed: unknown): unknown {
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== COMPACT_TAG) return null;
  return rename(parsed[1], LONG_NAMES, SHORT_NAMES);
}

/**
 * `value` with every object key found in `names` renamed; null when a key is found in `clashes`
 * (the other direction's names), which would not reverse.
 */
function rename(value: unknown, names: Record<string, string>, clashes: Record<string, string>): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const renamed = rename(item, names, clashes);
      if (renamed === null && item !== null) return null;
      items.push(renamed);
    }
    return items;
  }
  if (typeof value !== "object" || value === null) return value;
  const renamed: Record<string, unknown> = {};
  const fields = value as Record<string, unknown>;
  // for…in rather than Object.entries: no array per object, on every session read.
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    if (Object.hasOwn(clashes, key)) return null;
    const field = fields[key];
    const inner = typeof field === "object" && field !== null ? rename(field, names, clashes) : field;
    if (inner === null && field !== null) return null;
    renamed[Object.hasOwn(names, key) ? names[key]! : key] = inner;
  }
  return renamed;
}
