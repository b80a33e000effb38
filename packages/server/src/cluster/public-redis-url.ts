/**
 * The Redis URL as logs and error messages may show it: scheme, user, host, port and
 * database number, never the password ("(password hidden)" says there was one).
 */
export function publicRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "PARLOR_REDIS_URL (not a valid URL)";
  }
  const user = parsed.username ? `${parsed.username}@` : "";
  const hidden = parsed.password ? " (password hidden)" : "";
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}${hidden}`;
}
