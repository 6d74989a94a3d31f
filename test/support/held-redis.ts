// A relay in front of Redis that holds one connection's commands, from the first one that carries a
// chosen marker, until the test lets them go: "this write is on its way to Redis" becomes a state the
// test controls, so a race between reading an entry and writing it back is set up, not slept into.
import { connect, createServer, type AddressInfo, type Socket } from "node:net";

export interface HeldRedis {
  /** redis://127.0.0.1:PORT, for the server under test (TestStackOptions.redisUrl). */
  url: string;
  /** The next connection to send bytes containing `marker` is held from there on; resolves when it is. */
  holdNext(marker: string): Promise<void>;
  /** Lets the held commands through, in the order they were sent. */
  release(): void;
  close(): Promise<void>;
}

export async function holdingRedisRelay(redisUrl: string): Promise<HeldRedis> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let marker: string | null = null;
  let arrived: () => void = () => undefined;
  let released: Promise<void> = Promise.resolve();
  let release: () => void = () => undefined;

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    // Chunks go on in order; a held chunk holds every later one of this connection behind it.
    let forwarded: Promise<void> = Promise.resolve();
    client.on("data", (chunk: Buffer) => {
      if (marker !== null && chunk.includes(marker)) {
        marker = null;
        const gate = released;
        forwarded = forwarded.then(() => gate);
        arrived();
      }
      forwarded = forwarded.then(() => void upstream.write(chunk));
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));

  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdNext(nextMarker) {
      marker = nextMarker;
      released = new Promise<void>((resolve) => (release = resolve));
      return new Promise<void>((resolve) => (arrived = resolve));
    },
    release: () => release(),
    close: () =>
      new Promise<void>((resolve) => {
        release();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
