import { describe, expect, it } from "vitest";
import { downloadHeaders, isInlineType, partialContentHeaders } from "../src/files/download-headers.js";

describe("download headers", () => {
  it.each(["image/png", "image/jpeg", "audio/mpeg", "video/mp4", "application/pdf", "text/plain"])("shows %s inline", (mime) => {
    expect(isInlineType(mime)).toBe(true);
    expect(downloadHeaders({ id: "f1", name: "a", mime })["content-disposition"]).toMatch(/^inline;/);
  });

  it.each(["text/html", "image/svg+xml", "application/xml", "text/javascript", "application/octet-stream", "image/png; x=1"])(
    "serves %s as an octet-stream attachment",
    (mime) => {
      const headers = downloadHeaders({ id: "f1", name: "page.html", mime });
      expect(headers["content-type"]).toBe("application/octet-stream");
      expect(headers["content-disposition"]).toBe('attachment; filename="page.html"');
    },
  );

  it("always forbids sniffing, script, embedding by other sites and shared caches", () => {
    expect(downloadHeaders({ id: "f1", name: "a.png", mime: "image/png" })).toMatchObject({
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cross-origin-resource-policy": "same-origin",
      "cache-control": "private, no-cache",
      etag: '"f1"',
      "accept-ranges": "bytes",
      "content-type": "image/png",
    });
    expect(downloadHeaders({ id: "f1", name: "a.txt", mime: "text/plain" })["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("lets only the app's own pages frame a PDF, still sandboxed", () => {
    expect(downloadHeaders({ id: "f1", name: "a.pdf", mime: "application/pdf" })).toMatchObject({
      "content-security-policy": "default-src 'none'; frame-ancestors 'self'; sandbox",
      "x-frame-options": "SAMEORIGIN",
      "content-type": "application/pdf",
    });
  });

  it.each(["text/html", "image/svg+xml", "image/png", "text/plain", "video/mp4", "application/octet-stream"])("never lets %s be framed", (mime) => {
    const headers = downloadHeaders({ id: "f1", name: "a", mime });
    // The answer keeps the server-wide X-Frame-Options: DENY (not overridden here).
    expect(headers).not.toHaveProperty("x-frame-options");
    expect(headers["content-security-policy"]).toBe("default-src 'none'; sandbox");
  });

  it("describes a byte range", () => {
    expect(partialContentHeaders({ start: 10, end: 19 }, 100)).toEqual({ "content-range": "bytes 10-19/100", "content-length": "10" });
  });
});
