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
