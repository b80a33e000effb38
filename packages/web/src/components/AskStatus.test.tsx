// @vitest-environment jsdom
import type { MessageAsk } from "@parlor/react";
import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { localeStore } from "../i18n";
import { AskStatus } from "./AskStatus";

const ask = (overrides: Partial<MessageAsk>): MessageAsk => ({
  type: "text",
  status: "pending",
  accept: [],
  expiresAt: "2026-01-01T00:05:00.000Z",
  ...overrides,
});

const line = (value: MessageAsk) => render(<AskStatus ask={value} />).container.textContent;

afterEach(() => {
  cleanup();
  localeStore.set("en");
  localStorage.clear();
});

describe("AskStatus", () => {
  it("says how to answer a waiting question, naming a file question's types", () => {
    expect(line(ask({ type: "text" }))).toBe("Answer in the message box below.");
    expect(line(ask({ type: "file", accept: ["image/*", "application/pdf"] }))).toBe("Attach a file below (image/*, application/pdf).");
    expect(line(ask({ type: "file" }))).toBe("Attach a file below.");
    expect(line(ask({ type: "action" }))).toBe("Choose an answer.");
  });

  it("says how a question ended, and nothing once it is answered", () => {
    expect(line(ask({ status: "expired" }))).toBe("This question expired.");
    expect(line(ask({ type: "action", status: "cancelled" }))).toBe("This question was cancelled.");
    expect(line(ask({ status: "answered" }))).toBe("");
  });

  it("speaks the UI's language", () => {
    localeStore.set("fr");
    expect(line(ask({ type: "file", accept: ["image/png"] }))).toBe("Joignez un fichier ci-dessous (image/png).");
    expect(line(ask({ status: "expired" }))).toBe("Cette question a expiré.");
  });
});
