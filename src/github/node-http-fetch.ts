// The fetch the GitHub client uses in production: node:http / node:https with keep-alive, answering
// with a Response whose body is already read. Why not the global fetch: every call GitHub answers
// is small JSON read whole, and Node's fetch (undici) spends more CPU on its machinery (Request and
// Response streams, abort wiring, header lists) than on the call itself: a sign-in makes two or
// three calls, and the global fetch was the largest single cost of a sign-in. The API proxy, which
// streams bodies, keeps the global fetch. Only what the client sends is supported: string bodies
// (JSON or form text), headers as a plain object, an AbortSignal (GITHUB_TIMEOUT).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Statuses whose Response may carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export const nodeHttpFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (input instanceof Request || (init?.body !== undefined && init.body !== null && typeof init.body !== "string")) {
    return Promise.reject(new TypeError("nodeHttpFetch takes a URL and a string body only"));
  }
  const https = url.protocol === "https:";
  if (!https && url.protocol !== "http:") return Promise.reject(new TypeError(`nodeHttpFetch: unsupported protocol ${url.protocol}`));
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Response>((resolve, reject) => {
    const send = https ? httpsRequest : httpRequest;
    const body = typeof init?.body === "string" ? init.body : undefined; // anything else was refused above
    // Said explicitly: node:http frames a body by itself only for methods that usually have one, not DELETE.
    const headers =
      body === undefined ? headersOf(init?.headers) : { ...headersOf(init?.headers), "content-length": String(Buffer.byteLength(body)) };
    const outgoing = send(url, { method: init?.method ?? "GET", headers, agent: https ? agents.https : agents.http, signal });
    outgoing.once("error", (error) => reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error })));
    outgoing.once("response", (incoming) => readWhole(incoming).then((body) => resolve(responseOf(incoming, body)), reject));
    outgoing.end(body);
  });
};

function headersOf(headers: RequestInit["headers"]): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function readWhole(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    incoming.once("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
    incoming.once("aborted", () => reject(new TypeError("fetch failed: the response was cut off")));
  });
}

function responseOf(incoming: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!);
  const status = incoming.statusCode ?? 502;
  return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText: incoming.statusMessage ?? "", headers });
}
