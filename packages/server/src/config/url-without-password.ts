/**
 * A connection URL (PostgreSQL, Redis) as logs and error messages may show it: scheme, user,
 * host, port and path (database name or number). Never the password, nor the query string
 * (it can hold `sslpassword` or `options`); "(password hidden)" says one was there, so a
 * deployer does not go looking for a missing one. `variable` names where the URL came from,
 * for a value that is not a URL at all.
 */
export function urlWithoutPassword(url: string, variable: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${variable} (not a valid URL)`;
  }
  const user = parsed.username ? `${parsed.username}@` : "";
  const hidden = parsed.password ? " (password hidden)" : "";
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}${hidden}`;
}
