import { describe, expect, it } from "vitest";
import { errorFromResponse, ParlorApiError } from "./api-error.js";

describe("errorFromResponse", () => {
  it("reads the server's { error: { code, message } } and Retry-After", () => {
    const error = errorFromResponse(429, JSON.stringify({ error: { code: "rate_limited", message: "Slow down" } }), "42");
    expect(error).toBeInstanceOf(ParlorApiError);
    expect(error).toMatchObject({ code: "rate_limited", message: "Slow down", status: 429, retryAfter: 42 });
  });

  it("keeps the status when the body is not Parlor's (a proxy's page)", () => {
    expect(errorFromResponse(502, "<html>Bad gateway</html>", null)).toMatchObject({ code: "internal", status: 502, retryAfter: null });
    expect(errorFromResponse(404, "", null)).toMatchObject({ code: "invalid_response", status: 404 });
  });
});
