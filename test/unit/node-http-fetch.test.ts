// The GitHub client's fetch over node:http (src/github/node-http-fetch.ts), against a real local
// server: what it sends (method, headers, a body on any method, DELETE too), what it answers
// (status, headers, body; no body for 304), and that an aborted call fails instead of hanging.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeHttpFetch } from "../../src/github/node-http-fetch.js";

let server: Server;
let base: string;
const received: { method: string; headers: IncomingMessage["headers"]; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ method: request.method ?? "", headers: request.headers, body });
      if (request.url === "/not-modified") return void response.writeHead(304, { etag: '"abc"' }).end();
      if (request.url === "/slow") return void setTimeout(() => response.end("late"), 2_000);
      response
        .writeHead(201, { "content-type": "application/json", "x-ratelimit-remaining": "4999" })
        .end(JSON.stringify({ echoed: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("sends the method, headers and a string body, also on DELETE, and answers status, headers and body", async () => {
  const response = await nodeHttpFetch(`${base}/applications/x/token`, {
    method: "DELETE",
    headers: { authorization: "Basic eA==", "content-type": "application/json" },
    body: '{"access_token":"t"}',
  });
  expect(received.at(-1)).toMatchObject({
    method: "DELETE",
    body: '{"access_token":"t"}',
    headers: { authorization: "Basic eA==", "content-length": "20" },
  });
  expect(response.status).toBe(201);
  expect(response.headers.get("x-ratelimit-remaining")).toBe("4999");
  expect(await response.json()).toEqual({ echoed: '{"access_token":"t"}' });
});

test("a 304 answers with its headers and no body", async () => {
  const response = await nodeHttpFetch(`${base}/not-modified`, { headers: { "if-none-match": '"abc"' } });
  expect(response.status).toBe(304);
  expect(response.headers.get("etag")).toBe('"abc"');
  expect(response.body).toBeNull();
});

test("an aborted call rejects with the signal's reason", async () => {
  await expect(nodeHttpFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: "TimeoutError" });
});

test("a refused connection rejects as fetch does, with a TypeError", async () => {
  await expect(nodeHttpFetch("http://127.0.0.1:9/user")).rejects.toBeInstanceOf(TypeError);
});
