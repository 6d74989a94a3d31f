import { createLogger } from "../../src/logger.js";

test("secrets are redacted by name wherever they sit in a log object", () => {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  logger.info(
    {
      accessToken: "ghu_AAAA",
      refresh_token: "ghr_BBBB",
      code: "code-CCCC",
      state: "state-DDDD",
      client_secret: "secret-EEEE",
      req: { headers: { cookie: "gls.sid=FFFF", authorization: "token GGGG" } },
      nested: { token: "HHHH", codeVerifier: "IIII" },
      harmless: "visible",
    },
    "an event",
  );
  const text = lines.join("\n");
  for (const secret of ["AAAA", "BBBB", "CCCC", "DDDD", "EEEE", "FFFF", "GGGG", "HHHH", "IIII"]) expect(text).not.toContain(secret);
  expect(text).toContain("visible");
  expect(text).toContain("[redacted]");
});
