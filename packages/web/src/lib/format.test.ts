import { describe, expect, it } from "vitest";
import { activityGroup, formatBytes, formatMessageTime, formatRelative, formatWait } from "./format";

/** Intl puts a (narrow) no-break space between a number and its unit in some languages. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("formats in the UI's language", () => {
  it("sizes, in binary multiples, spelled out for bytes", () => {
    expect(formatBytes(591)).toBe("591 bytes");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatBytes(1.5 * 1024 * 1024)).toBe("1.5 MB");
    expect(plain(formatBytes(1.5 * 1024 * 1024, "fr"))).toBe("1,5 Mo");
    expect(plain(formatBytes(591, "fr"))).toBe("591 octets");
  });

  it("waits, rounded up so nobody is told to wait too little", () => {
    expect(formatWait(0.2)).toBe("1 second");
    expect(formatWait(42)).toBe("42 seconds");
    expect(formatWait(61)).toBe("2 minutes");
    expect(formatWait(300, "fr")).toBe("5 minutes");
  });

  it("a message's time: the time alone today, with the date before", () => {
    const now = new Date(2026, 11, 3, 15, 0);
    expect(plain(formatMessageTime(new Date(2026, 11, 3, 9, 5).toISOString(), "en", now))).toBe("9:05 AM");
    expect(plain(formatMessageTime(new Date(2026, 11, 3, 9, 5).toISOString(), "fr", now))).toBe("09:05");
    expect(formatMessageTime(new Date(2026, 10, 30, 9, 5).toISOString(), "en", now)).toMatch(/^Nov 30, 2026/);
    expect(formatMessageTime("not a date", "en", now)).toBe("");
  });

  it("relative times, with the caller's words for 'just now'", () => {
    const now = Date.parse("2026-12-03T12:00:00Z");
    expect(formatRelative("2026-12-03T11:59:50Z", { locale: "fr", justNow: "à l’instant", now })).toBe("à l’instant");
    expect(formatRelative("2026-12-03T11:55:00Z", { locale: "en", justNow: "just now", now })).toBe("5 minutes ago");
    expect(formatRelative("2026-12-03T11:55:00Z", { locale: "fr", justNow: "à l’instant", now })).toBe("il y a 5 minutes");
  });

  it("the sidebar's groups, as catalog keys", () => {
    const now = new Date(2026, 11, 3, 15, 0);
    expect(activityGroup(new Date(2026, 11, 3, 1, 0).toISOString(), now)).toBe("group.today");
    expect(activityGroup(new Date(2026, 11, 2, 23, 0).toISOString(), now)).toBe("group.yesterday");
    expect(activityGroup(new Date(2026, 10, 29).toISOString(), now)).toBe("group.week");
    expect(activityGroup(new Date(2026, 10, 10).toISOString(), now)).toBe("group.month");
    expect(activityGroup(new Date(2025, 0, 1).toISOString(), now)).toBe("group.older");
    expect(activityGroup("garbage", now)).toBe("group.older");
  });
});
