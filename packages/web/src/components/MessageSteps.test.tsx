// @vitest-environment jsdom
import type { MessageStep } from "@parlor/react";
import { act, cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { localeStore } from "../i18n";
import { MessageSteps } from "./MessageSteps";

const step = (overrides: Partial<MessageStep>): MessageStep => ({
  id: "s1",
  parentId: null,
  name: "search",
  type: "retrieval",
  input: "owls",
  output: "3 documents",
  status: "complete",
  startedAt: "2026-01-01T00:00:00.000Z",
  endedAt: "2026-01-01T00:00:01.000Z",
  ...overrides,
});
const steps = [step({}), step({ id: "s2", parentId: "s1", name: "rank", type: "tool", input: "", output: "ranked" })];

afterEach(() => {
  cleanup();
  localeStore.set("en");
  localStorage.clear();
});

describe("MessageSteps", () => {
  it("collapsed (the default): one closed line per top-level step, the nested one inside it", () => {
    const { container, getByText } = render(<MessageSteps steps={steps} display="collapsed" />);
    const details = [...container.querySelectorAll("details")];
    expect(details.map((element) => [element.querySelector("summary")?.textContent, element.open])).toEqual([
      ["Used search", false],
      ["Used rank", false],
    ]);
    expect(details[0]!.contains(details[1]!)).toBe(true);
    expect(getByText("owls").tagName).toBe("PRE");
  });

  it("expanded: every step open", () => {
    const { container } = render(<MessageSteps steps={steps} display="expanded" />);
    expect([...container.querySelectorAll("details")].every((element) => element.open)).toBe(true);
  });

  it("hidden: nothing at all", () => {
    const { container } = render(<MessageSteps steps={steps} display="hidden" />);
    expect(container.innerHTML).toBe("");
  });

  it("says how a step is going: running, failed or stopped", () => {
    const { container } = render(
      <MessageSteps
        steps={[
          step({ id: "a", status: "running", endedAt: null }),
          step({ id: "b", name: "fetch", status: "error" }),
          step({ id: "c", name: "think", status: "stopped" }),
        ]}
        display="collapsed"
      />,
    );
    expect([...container.querySelectorAll("summary")].map((summary) => summary.textContent)).toEqual(["Using search…", "fetch failed", "think stopped"]);
  });

  it("speaks the UI's language, and follows a switch while shown", () => {
    localeStore.set("fr");
    const { container, getByRole } = render(
      <MessageSteps steps={[step({ id: "a", status: "running", endedAt: null }), step({ id: "b", name: "fetch", status: "error" })]} display="expanded" />,
    );
    const summaries = () => [...container.querySelectorAll("summary")].map((summary) => summary.textContent);
    expect(summaries()).toEqual(["Utilise search…", "Échec de fetch"]);
    expect(getByRole("group", { name: "Étapes" }).className).toBe("steps");
    expect([...container.querySelectorAll(".step-label")].map((label) => label.textContent)).toContain("Entrée");

    act(() => localeStore.set("en"));
    expect(summaries()).toEqual(["Using search…", "fetch failed"]);
  });
});
