import { describe, expect, it } from "vitest";
import { deriveKeyRing } from "../src/crypto/key-ring.js";

const source = (current: string, previous?: string, appId = "Chat@http://localhost:8000/") => ({ secrets: { current, previous }, appId });
const A = "secret-a-0123456789-abcdefghijklmnopqrstuvwxyz";
const B = "secret-b-0123456789-abcdefghijklmnopqrstuvwxyz";

describe("KeyRing", () => {
  it("verifies its own signatures and refuses a changed message or signature", () => {
    const ring = deriveKeyRing(source(A), "csrf");
    const sig = ring.sign("csrf:session-1");
    expect(sig).toMatch(/^[\w-]{43}$/);
    expect(ring.verify("csrf:session-1", sig)).toBe(true);
    expect(ring.verify("csrf:session-2", sig)).toBe(false);
    expect(ring.verify("csrf:session-1", `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`)).toBe(false);
    expect(ring.verify("csrf:session-1", sig.slice(1))).toBe(false);
    expect(ring.verify("csrf:session-1", undefined)).toBe(false);
    expect(ring.verify("csrf:session-1", 42)).toBe(false);
  });

  it("keeps verifying after a rotation, with the previous secret, and signs with the new one", () => {
    const before = deriveKeyRing(source(A), "file-url");
    const after = deriveKeyRing(source(B, A), "file-url");
    expect(after.verify("m", before.sign("m"))).toBe(true);
    expect(after.sign("m")).not.toBe(before.sign("m"));
    expect(deriveKeyRing(source(B), "file-url").verify("m", before.sign("m"))).toBe(false);
  });

  it("keeps purposes and apps apart", () => {
    const csrf = deriveKeyRing(source(A), "csrf");
    expect(deriveKeyRing(source(A), "file-url").verify("m", csrf.sign("m"))).toBe(false);
    expect(deriveKeyRing(source(A, undefined, "Other@http://localhost:8000/"), "csrf").verify("m", csrf.sign("m"))).toBe(false);
  });

  it("finds a key by its id, current or previous, and throws for an unknown or missing id", () => {
    const ring = deriveKeyRing(source(B, A), "session-jwt");
    const previous = deriveKeyRing(source(A), "session-jwt").current;
    expect(ring.keyFor(ring.current.kid)).toBe(ring.current.key);
    expect(ring.keyFor(previous.kid).export().equals(previous.key.export())).toBe(true);
    expect(() => ring.keyFor("nope")).toThrow();
    expect(() => ring.keyFor(undefined)).toThrow();
  });
});
