/**
 * The database URL as logs and error messages may show it: scheme, user, host, port and
 * database name. Never the password, nor the query string (it can hold `sslpassword` or
 * `options`); "(password hidden)" says one was there, so a deployer does not go looking
 * for a missing one.
 */
export function publicDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "PARLOR_DATABASE_URL (not a valid URL)";
  }
  const user = parsed.username ? `${parsed.username}@` : "";
  const hidden = parsed.password ? " (password hidden)" : "";
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}${hidden}`;
}
