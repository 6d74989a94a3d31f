// POST /webhooks/github reads no body it does not need (SPEC §3): 404 unread without
// GITHUB_WEBHOOK_SECRET, 413 for a body over 1 MB before any work, and either way the connection is
// closed rather than left reading what the client still sends. Driven with node:http, whose
// request body can be left unfinished, the way a client holding connections open sends it.
import { createHmac } from "node:crypto";
import { request as httpRequest, type IncomingHttpHeaders, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestStack, type TestStack } from "../support/stack.js";

const WEBHOOK_SECRET = "webhook-bodies-secret";
const MEGABYTE = 1024 * 1024;
/** Long enough for any answer on loopback; a server still reading the body never answers at all. */
const PATIENCE_MS = 5_000;

interface EarlyAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

let stack: TestStack;
let server: Server;
let port: number;

async function serve(env: Record<string, string>): Promise<void> {
  stack = await startTestStack({ env });
  server = createServer(stack.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as AddressInfo).port;
}

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stack.close();
});

/** Sends the headers and `sent` of the body, never the rest, and waits for the server's answer. */
function sendUnfinished(headers: Record<string, string | number>, sent: Buffer): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/webhooks/github",
      headers: { host: "app.test:3000", ...headers },
    });
    let answered = false;
    const closed = new Promise<void>((resolveClosed) => outgoing.once("socket", (socket) => socket.once("close", () => resolveClosed())));
    // Once answered, the server may cut the upload off: that is the point, not a failure.
    outgoing.on("error", (error) => (answered ? undefined : reject(error)));
    outgoing.on("response", (response) => {
      answered = true;
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, closed }));
      response.on("error", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, closed }));
    });
    outgoing.write(sent);
  });
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${PATIENCE_MS} ms: the server is still reading the body`)), PATIENCE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function expectRefusedUnread(answer: Promise<EarlyAnswer>, status: number, error: string): Promise<void> {
  const early = await within(answer, "answer");
  expect(early.status).toBe(status);
  expect(JSON.parse(early.body)).toEqual({ error, message: expect.any(String) });
  expect(early.headers.connection).toBe("close");
  await within(early.closed, "closed connection");
}

describe("without GITHUB_WEBHOOK_SECRET", () => {
  beforeEach(() => serve({}));

  test("404 at once, without waiting for a body that has not all arrived, and the connection is closed", async () => {
    const answer = sendUnfinished({ "content-type": "application/json", "content-length": 900 * 1024 }, Buffer.alloc(16 * 1024, 97));
    await expectRefusedUnread(answer, 404, "not_found");
  });

  test("404, not 413, whatever length the body claims: the route does not exist", async () => {
    await expectRefusedUnread(sendUnfinished({ "content-length": 50 * MEGABYTE }, Buffer.alloc(1024, 97)), 404, "not_found");
  });
});

describe("with GITHUB_WEBHOOK_SECRET", () => {
  beforeEach(() => serve({ GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET }));

  test("a declared 2 MB body: 413 at once, before any of it is read, and the connection is closed", async () => {
    const answer = sendUnfinished({ "content-type": "application/json", "content-length": 2 * MEGABYTE }, Buffer.alloc(16 * 1024, 97));
    await expectRefusedUnread(answer, 413, "payload_too_large");
  });

  test("a chunked body is cut off when it passes 1 MB: 413, and the connection is closed", async () => {
    const answer = sendUnfinished({ "content-type": "application/json" }, Buffer.alloc(MEGABYTE + 64 * 1024, 97));
    await expectRefusedUnread(answer, 413, "payload_too_large");
  });

  test("a signed body of exactly 1 MB is read and acknowledged", async () => {
    const prefix = '{"zen":"';
    const body = Buffer.from(`${prefix}${"z".repeat(MEGABYTE - prefix.length - 2)}"}`);
    expect(body.length).toBe(MEGABYTE);
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/github`, {
      method: "POST",
      headers: { "x-github-event": "ping", "x-hub-signature-256": signature, "content-type": "application/json" },
      body,
    });
    expect(answer.status).toBe(202);
  });
});
