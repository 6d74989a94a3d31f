// The benchmark's baseline ("floor"): the plainest server on the same stack (express 5 +
// express-session + connect-redis 8 + ioredis) that answers GET /api/me with the profile kept in
// the session. It does nothing else, so the gap between it and github-login-server is what the
// login server's own work costs. Session settings match the real server's: signed cookie, HttpOnly,
// SameSite=Lax, rolling 24 h expiry, no save of unmodified sessions.
//
// Started by bench.js as its own process. Environment: PORT, REDIS_URL, FLOOR_SESSION_SECRET,
// FLOOR_KEY_PREFIX (default "floor:sess:"), FLOOR_COOKIE_NAME (default "floor.sid").
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.PORT);
const redisUrl = process.env.REDIS_URL;
const secret = process.env.FLOOR_SESSION_SECRET;
if (!Number.isInteger(port) || port <= 0 || !redisUrl || !secret) {
  console.error("floor-server: PORT, REDIS_URL and FLOOR_SESSION_SECRET are required");
  process.exit(1);
}

const redis = new Redis(redisUrl);
redis.on("error", (error) => console.error(`floor-server: Redis: ${error.message}`));

const app = express();
app.disable("x-powered-by");
app.get("/healthz", (_request, response) => {
  response.json({ status: "ok" });
});
app.use(
  session({
    name: process.env.FLOOR_COOKIE_NAME ?? "floor.sid",
    secret,
    store: new RedisStore({ client: redis, prefix: process.env.FLOOR_KEY_PREFIX ?? "floor:sess:" }),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: "lax", path: "/", maxAge: 24 * 60 * 60 * 1000 },
  }),
);
app.get("/api/me", (request, response) => {
  const user = /** @type {{ user?: unknown }} */ (request.session).user;
  if (!user) {
    response.status(401).json({ error: "unauthenticated" });
    return;
  }
  response.json(user);
});

const server = app.listen(port, "127.0.0.1");
server.on("error", (error) => {
  console.error(`floor-server: could not listen: ${error.message}`);
  process.exit(1);
});

const stop = () => {
  server.close(() => {
    void redis.quit().finally(() => process.exit(0));
  });
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
