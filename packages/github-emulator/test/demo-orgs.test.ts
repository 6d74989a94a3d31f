// The demo data's organisations, teams and repositories: each allow-list form has a demo user it
// lets in and one it keeps out (octo-org/ops: monalisa in, octocat pending; octo-org/handbook:write:
// octocat in, monalisa with read only). 304s on these endpoints cost no rate limit, as elsewhere.
import request from "supertest";
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator, DEMO_USERS } from "../src/index.js";
import { testGitHubApp, tokensFor } from "./support/emulator-server.js";

const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  emulator = createEmulator({
    clients: [githubApp],
    webBaseUrl: "http://localhost:3000/_emulator",
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
  });
});
const api = (path: string, token: string, etag?: string) => {
  const call = request(emulator.app).get(`/api/v3${path}`).set("User-Agent", "demo-test").set("Authorization", `token ${token}`);
  return etag ? call.set("If-None-Match", etag) : call;
};
const token = async (login: string) => (await tokensFor(emulator.app, githubApp, { login })).access_token;

it("keeps the demo users' organisations as they were", () => {
  expect(DEMO_USERS.map((user) => [user.login, user.orgs])).toEqual([
    ["octocat", ["github"]],
    ["monalisa", ["octo-org"]],
    ["hubot", []],
  ]);
});

it("octo-org/ops: monalisa is an active maintainer, octocat is invited (pending)", async () => {
  const mona = await token("monalisa");
  expect((await api("/orgs/octo-org/teams/ops/memberships/monalisa", mona)).body).toMatchObject({ state: "active", role: "maintainer" });
  expect((await api("/orgs/octo-org/teams/ops/memberships/octocat", mona)).body).toMatchObject({ state: "pending" });
  const octocat = await token("octocat");
  expect((await api("/user/memberships/orgs/octo-org", octocat)).body).toMatchObject({ state: "pending", role: "member" });
  expect((await api("/user/teams", octocat)).body.map((team: { slug: string }) => team.slug)).toEqual(["docs"]);
  expect((await api("/user/teams", mona)).body.map((team: { slug: string }) => team.slug)).toEqual(["ops"]);
});

it("octo-org/handbook is private: octocat may push, monalisa only pull; Hello-World is public", async () => {
  expect((await api("/repos/octo-org/handbook", await token("octocat"))).body).toMatchObject({
    private: true,
    permissions: { push: true, admin: false },
  });
  expect((await api("/repos/octo-org/handbook", await token("monalisa"))).body.permissions).toMatchObject({ push: false, pull: true });
  const hello = (await api("/repos/octocat/hello-world", await token("monalisa"))).body;
  expect(hello).toMatchObject({ full_name: "octocat/Hello-World", private: false, permissions: { pull: true, push: false } });
});

it("If-None-Match on the new endpoints: 304 without using rate limit", async () => {
  const octocat = await token("octocat");
  for (const path of ["/user/teams", "/user/orgs", "/repos/octo-org/handbook", "/orgs/github/teams/docs/memberships/octocat"]) {
    const answer = await api(path, octocat);
    const again = await api(path, octocat, answer.headers.etag);
    expect([path, again.status]).toEqual([path, 304]);
    expect(again.headers["x-ratelimit-remaining"]).toBe(answer.headers["x-ratelimit-remaining"]);
  }
});

it("a GitHub App's lists leave out organisations it is not installed on", async () => {
  emulator.setAppInstalled("github", false);
  const octocat = await token("octocat");
  expect((await api("/user/orgs", octocat)).body).toEqual([]);
  expect((await api("/user/teams", octocat)).body).toEqual([]);
  expect((await api("/user/teams", octocat)).headers["x-github-sso"]).toBeUndefined();
});
