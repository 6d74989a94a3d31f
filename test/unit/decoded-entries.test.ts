// Decoded session entries are reused only for the exact text they came from, never changed in place,
// and bounded in number (src/store/decoded-entries.ts).
import { DecodedEntries } from "../../src/store/decoded-entries.js";
import { encodeEntry, type StoredSession } from "../../src/store/session-entries.js";

const stored = (login: string): string =>
  encodeEntry({
    auth: {
      user: {
        id: 1,
        login,
        name: null,
        email: null,
        avatarUrl: "",
        htmlUrl: "",
        company: null,
        location: null,
        bio: null,
        createdAt: null,
      },
    },
  } as unknown as StoredSession);

test("the same text for the same session is decoded once; another text is decoded again", () => {
  const decoded = new DecodedEntries();
  const first = decoded.decode("s1", stored("octocat"));
  expect(first?.data.auth?.user.login).toBe("octocat");
  expect(decoded.decode("s1", stored("octocat"))).toBe(first);
  const changed = decoded.decode("s1", stored("hubot"));
  expect(changed).not.toBe(first);
  expect(changed?.data.auth?.user.login).toBe("hubot");
  // Another session with the same text is its own entry.
  expect(decoded.decode("s2", stored("hubot"))).not.toBe(changed);
});

test("no text (the entry is gone) or a damaged one is no entry, and what was remembered for it is dropped", () => {
  const decoded = new DecodedEntries();
  const first = decoded.decode("s1", stored("octocat"));
  expect(decoded.decode("s1", null)).toBeNull();
  expect(decoded.decode("s1", "{not json")).toBeNull();
  expect(decoded.decode("s1", stored("octocat"))).not.toBe(first);
});

test("a decoded entry cannot be changed in place, at any depth", () => {
  const entry = new DecodedEntries().decode("s1", stored("octocat"))!;
  expect(() => {
    (entry.data.auth!.user as { login: string }).login = "mallory";
  }).toThrow(TypeError);
  expect(() => {
    (entry.data as Record<string, unknown>).auth = null;
  }).toThrow(TypeError);
  expect(entry.data.auth?.user.login).toBe("octocat");
});

test("it remembers at most 2,000 sessions, forgetting the oldest first", () => {
  const decoded = new DecodedEntries();
  const text = stored("octocat");
  const oldest = decoded.decode("s0", text);
  const second = decoded.decode("s1", text);
  for (let index = 2; index <= 2_000; index += 1) decoded.decode(`s${index}`, text);
  expect(decoded.decode("s1", text)).toBe(second);
  expect(decoded.decode("s0", text)).not.toBe(oldest);
});
