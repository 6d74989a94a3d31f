import { startEmulator, tokensFor, testGitHubApp, type RunningEmulator } from "./support/emulator-server.js";

const client = testGitHubApp(["http://127.0.0.1:3000/cb"]);
let running: RunningEmulator;
let token: string;

beforeEach(async () => {
  running = await startEmulator({ clients: [client] });
  token = (await tokensFor(running.emulator.app, client)).access_token;
  running.emulator.resetStats();
});
afterEach(() => running.close());

const getUser = () => fetch(`${running.url}/api/v3/user`, { headers: { "user-agent": "faults-test", authorization: `token ${token}` } });
const postToken = () =>
  fetch(`${running.url}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ client_id: client.clientId, client_secret: client.clientSecret, code: "nope" }),
  });

describe("injected faults", () => {
  it("answers the next matching request with the given status, body and headers, then behaves normally", async () => {
    running.emulator.injectFault({
      pathPrefix: "/api/v3/user",
      status: 502,
      body: { message: "Server Error" },
      headers: { "retry-after": "7" },
    });
    const faulted = await getUser();
    expect(faulted.status).toBe(502);
    expect(faulted.headers.get("retry-after")).toBe("7");
    expect(await faulted.json()).toEqual({ message: "Server Error" });
    expect((await getUser()).status).toBe(200);
    expect(running.emulator.stats.apiRequests.map((record) => record.status)).toEqual([502, 200]);
  });

  it("`times` repeats a fault; a string body is sent as is; clearFaults removes the rest", async () => {
    running.emulator.injectFault({ pathPrefix: "/login/oauth/access_token", status: 503, body: "<html>down</html>", times: 3 });
    const first = await postToken();
    expect(first.status).toBe(503);
    expect(await first.text()).toBe("<html>down</html>");
    expect((await postToken()).status).toBe(503);
    running.emulator.clearFaults();
    const normal = await postToken();
    expect(normal.status).toBe(200);
    expect(((await normal.json()) as { error: string }).error).toBe("bad_verification_code");
    expect(running.emulator.stats.tokenRequests.map((record) => record.outcome)).toEqual(["fault", "fault", "bad_verification_code"]);
  });

  it("matches by path prefix only", async () => {
    running.emulator.injectFault({ pathPrefix: "/api/v3/user/emails", status: 500 });
    expect((await getUser()).status).toBe(200);
    const emails = await fetch(`${running.url}/api/v3/user/emails`, { headers: { "user-agent": "t", authorization: `token ${token}` } });
    expect(emails.status).toBe(500);
  });

  it("delayMs alone delays, then answers normally", async () => {
    running.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 300 });
    const started = Date.now();
    const answer = await getUser();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { login: string }).login).toBe("octocat");
  });

  it("a delay can outlast a client timeout", async () => {
    running.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 1_000, status: 200, body: {} });
    await expect(
      fetch(`${running.url}/api/v3/user`, {
        headers: { "user-agent": "t", authorization: `token ${token}` },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
  });

  it("destroySocket drops the connection without an answer", async () => {
    running.emulator.injectFault({ pathPrefix: "/login/oauth/access_token", destroySocket: true });
    await expect(postToken()).rejects.toThrow(/fetch failed/);
    expect((await postToken()).status).toBe(200);
  });
});
