// The tests' one bounded wait: it must fail, naming what it waited for, when the awaited thing never
// happens; a wait that could not fail would hide the very bugs the tests using it look for.
import { eventually, within } from "../support/eventually.js";

test("resolves as soon as the check holds, asking again until then", async () => {
  let calls = 0;
  await eventually("the third call", () => (calls += 1) === 3, { intervalMs: 1 });
  expect(calls).toBe(3);
});

test("awaits asynchronous checks", async () => {
  let calls = 0;
  await eventually("an asynchronous yes", async () => (calls += 1) === 2, { intervalMs: 1 });
  expect(calls).toBe(2);
});

test("times out naming what it waited for", async () => {
  await expect(eventually("the moon to turn blue", () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
    /^timed out after 30 ms waiting for the moon to turn blue$/,
  );
});

test("a check that throws counts as not yet, and its last error is in the timeout message", async () => {
  let calls = 0;
  await eventually(
    "a server that starts listening",
    () => {
      calls += 1;
      if (calls < 3) throw new Error("ECONNREFUSED");
      return true;
    },
    { intervalMs: 1 },
  );
  expect(calls).toBe(3);
  await expect(
    eventually(
      "a server that never listens",
      () => {
        throw new Error("ECONNREFUSED");
      },
      { timeoutMs: 20, intervalMs: 5 },
    ),
  ).rejects.toThrow("timed out after 20 ms waiting for a server that never listens (last check threw: ECONNREFUSED)");
});

test("abandonIf stops the wait at once with its reason, and detail is added to the message", async () => {
  const started = Date.now();
  await expect(
    eventually("a healthy server", () => false, {
      timeoutMs: 10_000,
      abandonIf: () => "it exited with code 1",
      detail: () => "its output",
    }),
  ).rejects.toThrow("gave up waiting for a healthy server: it exited with code 1\nits output");
  expect(Date.now() - started).toBeLessThan(1_000);
});

test("within: the promise's value when it settles in time, its rejection as is", async () => {
  expect(await within("a quick answer", Promise.resolve(42), { timeoutMs: 1_000 })).toBe(42);
  await expect(within("a refusal", Promise.reject(new Error("refused")), { timeoutMs: 1_000 })).rejects.toThrow(/^refused$/);
});

test("within: an event that never comes fails naming it", async () => {
  await expect(within("the Sentinel's +switch-master", new Promise(() => undefined), { timeoutMs: 20 })).rejects.toThrow(
    /^timed out after 20 ms waiting for the Sentinel's \+switch-master$/,
  );
  await expect(within("a log line", new Promise(() => undefined), { timeoutMs: 20, detail: () => "the output so far" })).rejects.toThrow(
    /^timed out after 20 ms waiting for a log line\nthe output so far$/,
  );
});
