// Operator commands (SPEC §8), reading the same configuration as the server (and `.env`), so that
// `docker compose exec app node dist/cli.js …` works where the server runs:
//   node dist/cli.js sessions list <login>            a user's sessions, one per line
//   node dist/cli.js sessions end <login> [--revoke]  ends them all (--revoke: also the app's authorization at GitHub)
// <login> may be `--id <GitHub user id>` instead, which needs no call to GitHub. Exit codes: 0 done,
// 1 could not be done (unknown user, Redis or GitHub unreachable, bad configuration), 2 bad usage.
// And the reference client of device sign-in, which needs no configuration (client/commands.ts):
//   node dist/cli.js login --server URL               signs in, keeps the session token (mode 0600)
//   node dist/cli.js status | logout                  who the kept token is; ends that session
// `--help` prints all of this and exits 0.
import { systemClock } from "./clock.js";
import { CLIENT_USAGE, parseClientCommand, runClientCommand } from "./client/commands.js";
import { createLogger } from "./logger.js";
import { readConfiguration } from "./read-configuration.js";
import { buildServices, type Services } from "./services.js";
import { redisBackend } from "./store/backend.js";
import { createRedisConnection, isRedisConfigured, whenReady } from "./store/redis-client.js";

const OPERATOR_USAGE =
  "usage: node dist/cli.js sessions list <login | --id N>\n       node dist/cli.js sessions end <login | --id N> [--revoke]";
const USAGE = `${OPERATOR_USAGE}\n${CLIENT_USAGE.replace("usage:", "      ")}`;
const CLIENT_COMMANDS = new Set(["login", "status", "logout"]);
const REDIS_WAIT_MS = 5_000;

interface Command {
  action: "list" | "end";
  user: { login: string } | { id: number };
  revoke: boolean;
}

/** The command line as a command, or null when it is not one. */
export function parseCommand(argv: string[]): Command | null {
  const [group, action, ...rest] = argv;
  if (group !== "sessions" || (action !== "list" && action !== "end")) return null;
  const revoke = rest.includes("--revoke");
  const words = rest.filter((word) => word !== "--revoke");
  if (revoke && action !== "end") return null;
  if (words[0] === "--id" && words.length === 2 && /^[1-9]\d{0,15}$/.test(words[1]!))
    return { action, user: { id: Number(words[1]) }, revoke };
  if (words.length === 1 && /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/.test(words[0]!)) return { action, user: { login: words[0]! }, revoke };
  return null;
}

class Refusal extends Error {}

async function userIdOf(services: Services, user: Command["user"]): Promise<{ id: number; name: string }> {
  if ("id" in user) return { id: user.id, name: `user ${user.id}` };
  const id = await services.github.userIdOf(user.login).catch((error: Error) => {
    throw new Refusal(`GitHub could not be asked who @${user.login} is (${error.message}); give --id <GitHub user id> instead`);
  });
  if (id === null) throw new Refusal(`GitHub knows no user @${user.login}`);
  return { id, name: `@${user.login}` };
}

async function run(command: Command, services: Services): Promise<void> {
  const user = await userIdOf(services, command.user);
  if (command.action === "list") {
    const sessions = await services.sessionList.list(user.id, "");
    if (sessions.length === 0) console.log(`${user.name} has no sessions`);
    for (const session of sessions) {
      console.log(
        [
          session.id,
          session.kind,
          session.host,
          `signed in ${session.createdAt}`,
          `last seen ${session.lastSeenAt}`,
          session.userAgent ?? "-",
        ].join("  "),
      );
    }
    return;
  }
  const ended = await services.sessionList.endAll(user.id, command.revoke);
  console.log(`ended ${ended} session(s) of ${user.name}${command.revoke ? "; the app's authorization was revoked at GitHub" : ""}`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 1 && ["--help", "-h", "help"].includes(argv[0]!)) {
    console.log(USAGE);
    return 0;
  }
  if (CLIENT_COMMANDS.has(argv[0]!)) return clientCommand(argv);
  const command = parseCommand(argv);
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const config = readConfiguration();
  if (!isRedisConfigured(config.redis)) {
    console.error(
      "github-login-server: no Redis is configured (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): demo-mode sessions live in the server's own memory",
    );
    return 1;
  }
  const redis = createRedisConnection(config.redis);
  redis.on("error", () => undefined); // told below, once, in plain words
  try {
    if (!(await whenReady(redis, REDIS_WAIT_MS))) throw new Refusal("Redis is not reachable");
    // Log lines (the audit line of each ended session among them) go to stderr; stdout is the answer.
    const logger = createLogger(config.logLevel, { write: (line: string) => void process.stderr.write(line) });
    await run(
      command,
      buildServices(config, { storage: redisBackend(redis, config.redis.keyPrefix, systemClock), clock: systemClock, logger }),
    );
    return 0;
  } catch (error) {
    console.error(`github-login-server: ${error instanceof Refusal ? error.message : `failed: ${(error as Error).message}`}`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

async function clientCommand(argv: string[]): Promise<number> {
  const command = parseClientCommand(argv);
  if (command === null) {
    console.error(CLIENT_USAGE);
    return 2;
  }
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return runClientCommand(command, { out: (line) => console.log(line), err: (line) => console.error(line), env: process.env, sleep });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("github-login-server:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
