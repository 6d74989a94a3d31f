// The benchmark's sign-in peer: a "Sign in with GitHub" server written the way the passport-github2
// README and most tutorials write one (express 5 + express-session + connect-redis 8 + ioredis +
// passport + passport-github2, the whole GitHub profile serialized into the session), pointed at
// the GitHub emulator. It does nothing beyond the tutorial: no PKCE, no state (the tutorial leaves
// `state` off), tokens neither kept nor sealed, no user index, no allow-lists, no logs or metrics.
// Its sign-in is what github-login-server's sign-in is measured against; it is never product code.
//
// Started by bench.js as its own process. Environment: PORT, REDIS_URL, PEER_SESSION_SECRET,
// PEER_CLIENT_ID, PEER_CLIENT_SECRET, PEER_GITHUB_URL (the emulator's origin), PEER_KEY_PREFIX
// (default "peer:sess:").
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";
import passport from "passport";
import { Strategy as GitHubStrategy } from "passport-github2";

const port = Number(process.env.PORT);
const {
  REDIS_URL: redisUrl,
  PEER_SESSION_SECRET: secret,
  PEER_CLIENT_ID: clientID,
  PEER_CLIENT_SECRET: clientSecret,
  PEER_GITHUB_URL: github,
} = process.env;
if (!Number.isInteger(port) || port <= 0 || !redisUrl || !secret || !clientID || !clientSecret || !github) {
  console.error("passport-peer: PORT, REDIS_URL, PEER_SESSION_SECRET, PEER_CLIENT_ID, PEER_CLIENT_SECRET and PEER_GITHUB_URL are required");
  process.exit(1);
}

const redis = new Redis(redisUrl);
redis.on("error", (error) => console.error(`passport-peer: Redis: ${error.message}`));

passport.use(
  new GitHubStrategy(
    {
      clientID,
      clientSecret,
      callbackURL: `http://127.0.0.1:${port}/auth/github/callback`,
      authorizationURL: `${github}/login/oauth/authorize`,
      tokenURL: `${github}/login/oauth/access_token`,
      userProfileURL: `${github}/api/v3/user`,
      // The tutorial asks for the user:email scope, so passport-github2 also reads the e-mail list.
      userEmailURL: `${github}/api/v3/user/emails`,
    },
    (/** @type {string} */ _accessToken, /** @type {string} */ _refreshToken, /** @type {any} */ profile, /** @type {Function} */ done) =>
      done(null, profile),
  ),
);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((/** @type {any} */ user, done) => done(null, user));

const app = express();
app.disable("x-powered-by");
app.get("/healthz", (_request, response) => {
  response.json({ status: "ok" });
});
app.use(
  session({
    secret,
    store: new RedisStore({ client: redis, prefix: process.env.PEER_KEY_PREFIX ?? "peer:sess:" }),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: "lax", path: "/", maxAge: 24 * 60 * 60 * 1000 },
  }),
);
app.use(passport.session());
app.get("/auth/github", passport.authenticate("github", { scope: ["user:email"] }));
app.get("/auth/github/callback", passport.authenticate("github", { failureRedirect: "/login" }), (_request, response) => {
  response.redirect(303, "/");
});
app.get("/api/me", (request, response) => {
  if (!request.user) {
    response.status(401).json({ error: "unauthenticated" });
    return;
  }
  const { id, username, displayName, emails, photos } = /** @type {any} */ (request.user);
  response.json({ id, login: username, name: displayName, email: emails?.[0]?.value ?? null, avatarUrl: photos?.[0]?.value ?? null });
});

const server = app.listen(port, "127.0.0.1");
server.on("error", (error) => {
  console.error(`passport-peer: could not listen: ${error.message}`);
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
