// Reads a Dockerfile into its stages and instructions (continuation lines joined, comments
// dropped), so a test can check what the image does and rebuild its runtime layout without Docker.
export interface Instruction {
  keyword: string;
  /** Everything after the keyword, as written. */
  text: string;
}

export interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(source: string): Stage[] {
  const logicalLines = source
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of logicalLines) {
    const [, keyword = "", text = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === "FROM") {
      const [, base = "", name = null] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text) ?? [];
      stages.push({ name, base, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${keyword} before any FROM`);
      stage.instructions.push({ keyword: keyword.toUpperCase(), text });
    }
  }
  return stages;
}

/** The arguments of an exec-form instruction (`CMD ["node", "x"]`), or null for shell form. */
export function execForm(text: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === "string") ? (parsed as string[]) : null;
  } catch {
    return null;
  }
}

/**
 * A .dockerignore, read and matched the way Docker does (moby/patternmatcher): `#` comments,
 * `!` exceptions, the last matching line wins, `*` and `?` stop at `/`, `**` spans directories, and
 * a line that matches a directory leaves out everything under it.
 */
export function parseDockerignore(source: string): (path: string) => boolean {
  const rules = source
    .split(/\r?\n/)
    .filter((line) => !line.startsWith("#"))
    .map((line) => line.trim())
    .filter((line) => line !== "" && line !== "!")
    .map((line) => {
      const exception = line.startsWith("!");
      const pattern = cleanPath(exception ? line.slice(1).trim() : line);
      return { exception, regex: patternRegex(pattern) };
    });
  /** `path` relative to the context root, with `/` separators. */
  return (path) => {
    const parts = cleanPath(path).split("/");
    // The path itself, or one of its parent directories.
    const candidates = parts.map((_, index) => parts.slice(0, index + 1).join("/"));
    let ignored = false;
    for (const { exception, regex } of rules) {
      if (candidates.some((candidate) => regex.test(candidate))) ignored = !exception;
    }
    return ignored;
  };
}

function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/") || ".";
}

function patternRegex(pattern: string): RegExp {
  let regex = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "*" && pattern[index + 1] === "*") {
      index++;
      if (pattern[index + 1] === "/") index++;
      regex += index + 1 >= pattern.length ? ".*" : "(.*/)?";
    } else if (char === "*") {
      regex += "[^/]*";
    } else if (char === "?") {
      regex += "[^/]";
    } else if (char === "\\" && index + 1 < pattern.length) {
      regex += `\\${pattern[++index]}`;
    } else if (char === "[") {
      const end = pattern.indexOf("]", index + 1);
      if (end === -1) throw new Error(`.dockerignore: unterminated [ in ${pattern}`);
      regex += `[${pattern.slice(index + 1, end)}]`; // Go's classes: [abc], [a-z], [^a]
      index = end;
    } else {
      regex += char.replace(/[.+^${}()|\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${regex}$`);
}
