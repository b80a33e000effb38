import { ParlorApiError } from "@parlor/react";
import { describe, expect, it } from "vitest";
import { translator } from "../i18n";
import { describeError } from "./describe-error";

describe("describeError", () => {
  it("chooses the text by code, not by the server's message", () => {
    expect(describeError(new ParlorApiError("invalid_credentials", "anything", { status: 401 }))).toBe("Wrong username or password.");
    expect(describeError(new ParlorApiError("network_error", "x"))).toMatch(/Can't reach the server/);
  });

  it("tells how long to wait when rate-limited", () => {
    expect(describeError(new ParlorApiError("rate_limited", "x", { status: 429, retryAfter: 300 }))).toMatch(/5 minutes/);
    expect(describeError(new ParlorApiError("rate_limited", "x", { status: 429, retryAfter: 1 }))).toMatch(/1 second\b/);
    expect(describeError(new ParlorApiError("rate_limited", "Try again in 42 seconds.", { status: 429 }))).toBe("Try again in 42 seconds.");
  });

  it("says the server is restarting when it refuses a message while shutting down", () => {
    expect(describeError(new ParlorApiError("unavailable", "Server shutting down"))).toMatch(/restarting/);
  });

  it("tells a full server apart from a broken one, and says how to free space", () => {
    expect(describeError(new ParlorApiError("insufficient_storage", "x", { status: 507 }))).toMatch(/out of storage space.*Deleting/);
  });

  it("speaks the UI's language, waits and sizes included", () => {
    const fr = translator("fr");
    expect(describeError(new ParlorApiError("invalid_credentials", "Wrong password"), fr)).toBe("Nom d’utilisateur ou mot de passe incorrect.");
    expect(describeError(new ParlorApiError("rate_limited", "x", { status: 429, retryAfter: 90 }), fr)).toMatch(/patienter 2 minutes/);
    expect(describeError(new ParlorApiError("payload_too_large", "x", { status: 413 }), fr, { maxUploadBytes: 10 * 1024 * 1024 })).toMatch(/jusqu’à 10\sMo/);
  });

  it("names the upload limit when a file is too large and the server said what it is", () => {
    const tooLarge = new ParlorApiError("payload_too_large", "File too large", { status: 413 });
    expect(describeError(tooLarge, translator("en"), { maxUploadBytes: 10 * 1024 * 1024 })).toBe("That file is too large. Files up to 10 MB are accepted.");
    expect(describeError(tooLarge)).toBe("That file is too large.");
  });

  it("explains a refused edit, setting or rating, with the setting the server named", () => {
    expect(describeError(new ParlorApiError("not_latest", "x"))).toMatch(/Only your latest message/);
    expect(describeError(new ParlorApiError("invalid_setting", 'Unknown setting "colour"'))).toBe('That setting was not saved: Unknown setting "colour"');
    expect(describeError(new ParlorApiError("feedback_not_allowed", "x", { status: 422 }))).toMatch(/Only the assistant's replies/);
    expect(describeError(new ParlorApiError("invalid_setting", "x"), translator("fr"))).toBe("Ce réglage n’a pas été enregistré : x");
  });

  it("has a fallback for anything else", () => {
    expect(describeError(new Error("boom"))).toBe("Something went wrong. Please try again.");
    expect(describeError(new ParlorApiError("internal", "x", { status: 500 }))).toMatch(/server had a problem/);
  });
});
