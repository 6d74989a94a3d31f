// Reading request parameters without trusting their shape: Express gives arrays for repeated keys
// (`code=a&code=b`) and JSON bodies may hold numbers or objects. Anything but a non-empty string is
// treated as "not a usable value", so bad input ends in a proper OAuth error instead of a crash.

export type ParamSource = Record<string, unknown>;

/** The query merged with the body (the body wins), as GitHub's token endpoint reads both. */
export function mergedParams(query: unknown, body: unknown): ParamSource {
  return { ...asObject(query), ...asObject(body) };
}

export function asObject(value: unknown): ParamSource {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as ParamSource) : {};
}

/** A non-empty string, or undefined when absent, empty or not a string. */
export function stringParam(source: ParamSource, name: string): string | undefined {
  const value = source[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** True when the parameter was sent, but not as a single string (e.g. repeated or a JSON object). */
export function isMalformedParam(source: ParamSource, name: string): boolean {
  const value = source[name];
  return value !== undefined && typeof value !== "string";
}

/** Every parameter as text, for the stats record ("params as received"). */
export function paramsAsText(source: ParamSource): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) text[name] = typeof value === "string" ? value : JSON.stringify(value);
  return text;
}
