// Durations in configuration: "90s", "15m", "24h", "30d" or plain seconds.
const UNIT_MILLISECONDS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Returns milliseconds, or null when the text is not a positive duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const milliseconds = amount * (UNIT_MILLISECONDS[match[2] || "s"] ?? 1000);
  return milliseconds > 0 ? milliseconds : null;
}
