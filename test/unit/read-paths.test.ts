// The read paths' adapter on its own (src/http/read-paths.ts): which requests it takes, matched as
// Express matches a route, so that every other spelling still reaches Express and gets the answer it
// always got; an answer node:http would refuse to write becomes a whole error answer; and an error
// answer that cannot be written (error-answer.ts) is a bare 500, not a crash.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { notFound } from "../../src/errors.js";
import { errorWriter } from "../../src/http/error-answer.js";
import { readPathOf, readPaths, type ReadPathHandler } from "../../src/http/read-paths.js";
import type { PageRenderer } from "../../src/http/render.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

async function listening(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends the request line exactly as given (no client-side normalising of the path). */
function send(port: number, method: string, path: string): Promise<{ status: number; headers: IncomingMessage["headers"]; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ port, method, path, headers: { host: "app.test" } }, (incoming) => {
      let body = "";
      incoming.on("data", (chunk: Buffer) => (body += chunk.toString()));
      incoming.on("end", () => resolve({ status: incoming.statusCode!, headers: incoming.headers, body }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

test("a request is a read path exactly when Express would route it to one of the read paths' GET routes", async () => {
  // Each side says which read path it took the request for in a header (HEAD answers have no body).
  const router = express();
  for (const path of ["/auth/check", "/api/me", "/api/session"])
    router.get(path, (_request, response) => void response.setHeader("X-Route", path).end());
  router.use((_request, response) => void response.setHeader("X-Route", "none").end());
  const expressPort = await listening(router);
  const oursPort = await listening((request, response) => void response.setHeader("X-Route", readPathOf(request)?.path ?? "none").end());

  const paths = [
    ...["/auth/check", "/api/me", "/api/session"],
    ...[
      "/API/ME",
      "/Auth/Check/",
      "/api/me/",
      "/api/session/?x=1",
      "/auth/check?orgs=github",
      "/api/me#part",
      "/api/me?",
      "http://app.test/api/me",
      "http://APP.test/API/me/",
    ],
    ...[
      "/api/me//",
      "//api/me",
      "/api//me",
      "/api/m%65",
      "/api/me%2F",
      "/api/me/.",
      "/api/./me",
      "/api/me.json",
      "/api/meX",
      "/api/me;x",
      "/api/sessions",
      "/auth/checkout",
      "/auth",
      "/",
      "*",
    ],
  ];
  let readPaths = 0;
  for (const method of ["GET", "HEAD", "POST", "OPTIONS", "DELETE"]) {
    for (const path of paths) {
      const expected = (await send(expressPort, method, path)).headers["x-route"];
      expect([method, path, (await send(oursPort, method, path)).headers["x-route"]]).toEqual([method, path, expected]);
      if (expected !== "none") readPaths += 1;
    }
  }
  expect(readPaths).toBe(2 * 12); // GET and HEAD of every spelling Express routes
});

test("an answer with a header value node:http would refuse is not half-written: the error answer goes out whole", async () => {
  const refused: unknown[] = [];
  const handlers: Record<"authCheck" | "currentUser" | "sessionDetails", ReadPathHandler> = {
    authCheck: async () => ({ status: 204, headers: [["X-Auth-Request-User", "octo\u0001cat"]] }),
    currentUser: async () => ({ status: 200, json: {} }),
    sessionDetails: async () => ({ status: 200, json: {} }),
  };
  const writeError = (_request: IncomingMessage, response: ServerResponse, error: unknown) => {
    refused.push(error);
    response.statusCode = 500;
    response.setHeader("Content-Type", "application/json; charset=utf-8");
    response.end('{"error":"internal_error"}');
  };
  const answer = readPaths({
    handlers,
    dataHeaders: [["Cache-Control", "no-store"]],
    apiCors: (_request, _response, next) => next(),
    writeError,
  });
  const port = await listening((request, response) => answer(request, response, readPathOf(request)!, "request-1"));
  const answered = await send(port, "GET", "/auth/check");
  expect([
    answered.status,
    answered.body,
    answered.headers["x-auth-request-user"],
    answered.headers["x-request-id"],
    answered.headers["cache-control"],
  ]).toEqual([500, '{"error":"internal_error"}', undefined, "request-1", "no-store"]);
  expect(refused).toHaveLength(1);
});

test("an error answer that cannot be written (a page that fails to render) is a bare 500, logged, never a crash", async () => {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  const pages: PageRenderer = {
    render: () => {
      throw new Error("the template is broken");
    },
  };
  const writeError = errorWriter(logger, pages, createMetrics());
  const port = await listening((request, response) => writeError(request, response, notFound()));
  const answered = await send(port, "GET", "/somewhere");
  expect([answered.status, answered.headers["content-type"], answered.body]).toEqual([
    500,
    "text/plain; charset=utf-8",
    "Internal Server Error",
  ]);
  expect(lines.map((line) => JSON.parse(line).msg)).toContain("could not write an error answer");
});
