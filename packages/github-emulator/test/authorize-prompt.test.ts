// prompt=select_account on GitHub's authorize page forces its account picker (github-protocol.md
// §1): the emulator shows its accounts with none preselected, not even the `login` hint, and keeps
// a record of every authorize page asked for, so tests see what a browser was sent to.
import request from "supertest";
import { createEmulator } from "../src/index.js";
import { pkcePair, testGitHubApp } from "./support/emulator-server.js";

const githubApp = testGitHubApp(["https://gh.example.com/auth/callback"]);
const emulator = createEmulator({ clients: [githubApp] });

function authorizePath(params: Record<string, string>): string {
  const { challenge } = pkcePair();
  const query = { client_id: githubApp.clientId, state: "st8", code_challenge: challenge, code_challenge_method: "S256", ...params };
  return `/login/oauth/authorize?${new URLSearchParams(query)}`;
}

const checkedAccounts = (html: string) =>
  [...html.matchAll(/<input type="radio" name="login"[^>]*value="([^"]+)"[^>]*checked/g)].map((match) => match[1]);

beforeEach(() => emulator.resetStats());

test("without prompt: the login hint (or else the first account) is preselected", async () => {
  expect(checkedAccounts((await request(emulator.app).get(authorizePath({})).expect(200)).text)).toEqual(["octocat"]);
  expect(
    checkedAccounts(
      (
        await request(emulator.app)
          .get(authorizePath({ login: "monalisa" }))
          .expect(200)
      ).text,
    ),
  ).toEqual(["monalisa"]);
});

test("prompt=select_account: the account picker, nothing preselected, even with a login hint", async () => {
  const page = await request(emulator.app)
    .get(authorizePath({ prompt: "select_account", login: "monalisa" }))
    .expect(200);
  expect(page.text).toContain("Choose an account");
  expect(checkedAccounts(page.text)).toEqual([]);
  expect(page.text).toContain('value="monalisa"');
});

test("another prompt value is ignored, as GitHub ignores what it does not know", async () => {
  const page = await request(emulator.app)
    .get(authorizePath({ prompt: "consent" }))
    .expect(200);
  expect(page.text).not.toContain("Choose an account");
  expect(checkedAccounts(page.text)).toEqual(["octocat"]);
});

test("every authorize page asked for is recorded with its parameters, prompt included; resetStats clears them", async () => {
  await request(emulator.app).get(authorizePath({ prompt: "select_account" }));
  await request(emulator.app).get(authorizePath({}));
  expect(emulator.stats.authorizeRequests.map((record) => record.params.prompt ?? null)).toEqual(["select_account", null]);
  expect(emulator.stats.authorizeRequests[0]!.params).toMatchObject({
    client_id: githubApp.clientId,
    state: "st8",
    code_challenge_method: "S256",
  });
  expect(emulator.memoryUse().authorizeRequests).toBe(2);
  emulator.resetStats();
  expect(emulator.stats.authorizeRequests).toEqual([]);
});
