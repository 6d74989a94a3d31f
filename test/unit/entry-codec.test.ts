// The stored form of a session entry (src/store/entry-codec.ts through session-entries.ts): short
// field names that reverse exactly, unknown fields kept; a field that would not reverse is refused
// when written, and anything that is not an entry reads as no session.
import { encodeEntry, parseEntry, type StoredSession } from "../../src/store/session-entries.js";

const record = {
  user: {
    id: 7,
    login: "octocat",
    name: "The Octocat",
    email: null,
    avatarUrl: "https://avatars.example/u/7",
    htmlUrl: "https://github.com/octocat",
    company: "@github",
    location: "SF",
    bio: null,
    createdAt: "2011-01-25T18:44:36Z",
  },
  profileEtag: 'W/"abc"',
  profileFetchedAt: 1_700_000_000_000,
  access: { "org:github": { member: true, etag: null } },
  signedInAt: 1_700_000_000_000,
  github: {
    clientType: "github-app",
    scopes: [],
    sealedTokens: "v1.aaaaaaaa.bbbbbbbbbbbbbbbb.cc.dddddddddddddddddddddd",
    accessTokenExpiresAt: 1,
    refreshTokenExpiresAt: null,
  },
  userAgent: "Mozilla/5.0",
};
const session = { auth: record } as unknown as StoredSession;

test("an entry reads back exactly as it was written, in fewer bytes than plain JSON", () => {
  const text = encodeEntry(session);
  expect(parseEntry(text)?.data).toEqual(session);
  expect(text.length).toBeLessThan(JSON.stringify(session).length - 150);
  expect(text).not.toContain("accessTokenExpiresAt");
});

test("a field the table does not know is kept under its own name", () => {
  const withHost = { auth: { ...record, host: "app.example", kind: "device" } } as unknown as StoredSession;
  expect(parseEntry(encodeEntry(withHost))?.data).toEqual(withHost);
});

test("data that uses a short name as a key is refused when written: it would not read back", () => {
  const clashing = { auth: { ...record, access: { a: { member: true } } } } as unknown as StoredSession;
  expect(() => encodeEntry(clashing)).toThrow(/short names/);
});

test("an array that is not a compact entry, or damaged text, reads as no session", () => {
  for (const text of ['["s9",{}]', '["s2"]', "[1,2]", "{not json", "null", '"text"', JSON.stringify(session)])
    expect(parseEntry(text)).toBeNull();
});
