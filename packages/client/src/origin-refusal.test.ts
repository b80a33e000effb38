import { afterEach, describe, expect, it, vi } from "vitest";
import { explainNetworkFailure } from "./origin-refusal.js";

const SERVER = "https://chat.example.com";
const refusal = {
  error: { code: "origin_not_allowed", message: "This origin (https://app.example.com) is not in allowedOrigins: add it to PARLOR_ALLOWED_ORIGINS" },
};

/** A fetch that answers `/auth/cors-check` as given and records what it was asked. */
function fakeFetch(answer: (() => Response) | "unreachable") {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    if (answer === "unreachable") throw new TypeError("Failed to fetch");
    return answer();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("explainNetworkFailure", () => {
  afterEach(() => vi.unstubAllGlobals());
  const failure = new TypeError("Failed to fetch");

  it("turns a failure across origins into origin_not_allowed with the server's message, asking without credentials", async () => {
    vi.stubGlobal("location", { origin: "https://app.example.com" });
    const { fetch, calls } = fakeFetch(() => new Response(JSON.stringify(refusal), { status: 403 }));
    const error = await explainNetworkFailure(SERVER, fetch, failure);
    expect(error).toMatchObject({ code: "origin_not_allowed", message: refusal.error.message, status: 0, cause: failure });
    expect(calls).toEqual([{ url: `${SERVER}/auth/cors-check`, init: expect.objectContaining({ credentials: "omit" }) }]);
  });

  it("keeps network_error when the origin is allowed, the server is unreachable, or it answers anything else", async () => {
    vi.stubGlobal("location", { origin: "https://app.example.com" });
    for (const answer of [
      () => new Response(JSON.stringify({ origin: "https://app.example.com", allowed: true })),
      "unreachable" as const,
      () => new Response("<html>proxy error</html>", { status: 403 }),
      () => new Response(JSON.stringify({ error: { code: "csrf", message: "no" } }), { status: 403 }),
    ]) {
      expect(await explainNetworkFailure(SERVER, fakeFetch(answer).fetch, failure)).toMatchObject({ code: "network_error" });
    }
  });

  it("asks nothing on the page's own origin, outside browsers, or after an abort", async () => {
    const { fetch, calls } = fakeFetch(() => new Response(JSON.stringify(refusal), { status: 403 }));
    expect((await explainNetworkFailure(SERVER, fetch, failure)).code).toBe("network_error"); // no `location`
    vi.stubGlobal("location", { origin: SERVER });
    expect((await explainNetworkFailure(SERVER, fetch, failure)).code).toBe("network_error");
    expect((await explainNetworkFailure("/chat", fetch, failure)).code).toBe("network_error");
    vi.stubGlobal("location", { origin: "https://app.example.com" });
    const aborted = AbortSignal.abort();
    expect((await explainNetworkFailure(SERVER, fetch, failure, aborted)).code).toBe("aborted");
    expect(calls).toEqual([]);
  });
});
