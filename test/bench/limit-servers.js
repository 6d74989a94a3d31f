// The benchmark's two lower baselines beside the express-session floor: what the framework itself
// costs (LIMIT=express: an empty Express 5 route answering 204) and what the platform does at best
// (LIMIT=node: a raw node:http server answering a fixed 204). Any path answers, so the load
// generator can ask the same /auth/check path it asks this server; /healthz says the process is up.
// Started by bench.js as its own process. Environment: PORT, LIMIT.
import { createServer } from "node:http";
import express from "express";

const port = Number(process.env.PORT);
const limit = process.env.LIMIT;
if (!Number.isInteger(port) || port <= 0 || (limit !== "express" && limit !== "node")) {
  console.error("limit-servers: PORT and LIMIT (express or node) are required");
  process.exit(1);
}

function rawNode() {
  return createServer((request, response) => {
    if (request.url === "/healthz") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      return;
    }
    response.writeHead(204).end();
  });
}

function emptyExpress() {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_request, response) => {
    response.json({ status: "ok" });
  });
  app.get("/*path", (_request, response) => {
    response.status(204).end();
  });
  return createServer(app);
}

const server = limit === "node" ? rawNode() : emptyExpress();
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
