import { describe, expect, it } from "vitest";
import { embedCookieMode, signInWithPartitionedCookie } from "./cookie-sign-in";

/** A fake server: answers in order, records what was asked. */
function server(...answers: Array<[number, unknown?]>) {
  const calls: Array<{ url: string; method: string; headers: Record<string, string>; body: string | undefined; credentials: string | undefined }> = [];
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    calls.push({
      url,
      method: init.method ?? "GET",
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body as string | undefined,
      credentials: init.credentials,
    });
    const [status, body] = answers.shift() ?? [500];
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

describe("signInWithPartitionedCookie", () => {
  it("uses the cookie's session when there is one, without asking the host for a token", async () => {
    const { fetchImpl, calls } = server([200, { user: {} }]);
    let asked = 0;
    await expect(signInWithPartitionedCookie("/chat", async () => `token-${++asked}`, fetchImpl)).resolves.toBe(true);
    expect(asked).toBe(0);
    expect(calls.map((call) => `${call.method} ${call.url} ${call.credentials}`)).toEqual(["GET /chat/auth/me same-origin"]);
  });

  it("without a session, exchanges one host token and checks that the cookie was kept", async () => {
    const { fetchImpl, calls } = server([401], [200, { accessToken: "a" }], [200, {}]);
    await expect(signInWithPartitionedCookie("", async () => " host-token\n", fetchImpl)).resolves.toBe(true);
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(["GET /auth/me", "POST /auth/token", "GET /auth/me"]);
    expect(JSON.parse(calls[1]!.body!)).toEqual({ token: "host-token" });
  });

  it("when the cookie was not kept, ends the new session with its access token and answers false", async () => {
    const { fetchImpl, calls } = server([401], [200, { accessToken: "access" }], [401], [204]);
    await expect(signInWithPartitionedCookie("", async () => "host-token", fetchImpl)).resolves.toBe(false);
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(["GET /auth/me", "POST /auth/token", "GET /auth/me", "POST /auth/logout"]);
    expect(calls[3]!.headers.authorization).toBe("Bearer access");
  });

  it("rejects with the server's code, or token_failed when the host gives none", async () => {
    const refused = server([401], [401, { error: { code: "invalid_token", message: "The token has expired" } }]);
    await expect(signInWithPartitionedCookie("", async () => "t", refused.fetchImpl)).rejects.toMatchObject({ code: "invalid_token", status: 401 });
    const noToken = server([401]);
    await expect(signInWithPartitionedCookie("", () => Promise.reject(new Error("no")), noToken.fetchImpl)).rejects.toMatchObject({ code: "token_failed" });
    expect(noToken.calls).toHaveLength(1);
  });
});

describe("embedCookieMode", () => {
  it("reads the server's marker, and is none without it", () => {
    const page = (content: string | null) => ({
      querySelector: (selector: string) => (content !== null && selector === 'meta[name="parlor-embed-cookie"]' ? ({ content } as never) : null),
    });
    expect(embedCookieMode(page("partitioned"))).toBe("partitioned");
    expect(embedCookieMode(page("something"))).toBe("none");
    expect(embedCookieMode(page(null))).toBe("none");
  });
});
