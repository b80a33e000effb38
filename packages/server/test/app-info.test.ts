import { describe, expect, it } from "vitest";
import { defineApp, ParlorConfigError, type AppDefinition } from "parlor";
import { echoApp, startTestServer } from "@parlor/test-support";

const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

const model = {
  id: "model",
  type: "select" as const,
  label: "Model",
  options: [
    { value: "small", label: "Small" },
    { value: "large", label: "Large" },
  ],
  default: "small",
};
const temperature = { id: "temperature", type: "slider" as const, label: "Temperature", min: 0, max: 2, step: 0.1, default: 0.7 };
const profiles = [
  { id: "concise", name: "Concise", description: "Short answers" },
  { id: "tutor", name: "Tutor", description: "Explains step by step" },
];

describe("GET /api/app: welcome, starters, settings and profiles", () => {
  it("answers the app's declarations, the welcome written for the signed-in user, defaults filled in", async () => {
    const t = await startTestServer({
      app: echoApp({
        ui: {
          welcome: (user) => `Hello **${user.displayName ?? user.identifier}** (${user.identifier})`,
          starters: [{ label: "Plan a trip", message: "Plan a weekend in Lisbon" }],
        },
        settings: [
          model,
          temperature,
          { id: "depth", type: "slider", label: "Depth", min: 1, max: 5, default: 3 },
          { id: "notes", type: "text", label: "Notes", default: "" },
        ],
        profiles,
      }),
    });
    const alice = await t.loggedIn("alice");
    const response = await alice.get("/api/app");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.body).toEqual({
      welcome: "Hello **User alice** (alice)",
      starters: [{ label: "Plan a trip", message: "Plan a weekend in Lisbon" }],
      settings: [
        model,
        temperature,
        { id: "depth", type: "slider", label: "Depth", min: 1, max: 5, step: 1, default: 3 },
        { id: "notes", type: "text", label: "Notes", maxLength: 1000, default: "" },
      ],
      profiles,
    });
    const bob = await t.loggedIn("bob");
    expect((await bob.get("/api/app")).body.welcome).toBe("Hello **User bob** (bob)");
  });

  it("answers empty lists and a null welcome for an app that declares none", async () => {
    const t = await startTestServer();
    const alice = await t.loggedIn("alice");
    expect((await alice.get("/api/app")).body).toEqual({ welcome: null, starters: [], settings: [], profiles: [] });
  });

  it("a welcome string is sent as written", async () => {
    const t = await startTestServer({ app: echoApp({ ui: { welcome: "# Welcome\nAsk me anything." } }) });
    expect((await (await t.loggedIn()).get("/api/app")).body.welcome).toBe("# Welcome\nAsk me anything.");
  });

  it("is refused without a session (401), like every /api/ route", async () => {
    const t = await startTestServer({ app: echoApp({ ui: { welcome: "secret plans" } }) });
    const response = await t.client().get("/api/app");
    expect(response.status).toBe(401);
    expect(response.body).toEqual(errorShape("unauthenticated"));
  });

  it("a welcome function that throws is logged, and the chat opens without a welcome (200, not 500)", async () => {
    const t = await startTestServer({
      captureLogs: true,
      server: { logLevel: "error" },
      app: echoApp({
        ui: {
          welcome: () => {
            throw new Error("profile service down");
          },
          starters: [{ label: "Hi", message: "Hello" }],
        },
      }),
    });
    const response = await (await t.loggedIn()).get("/api/app");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ welcome: null, starters: [{ label: "Hi", message: "Hello" }] });
    expect(t.logs.some((line) => line.msg === "the app's ui.welcome failed" && line.err?.message === "profile service down")).toBe(true);
  });
});

describe("defineApp checks ui, settings and profiles at start-up", () => {
  const app = (extra: Partial<AppDefinition>) => () => defineApp({ name: "Chat", auth: { password: () => null }, onMessage: () => {}, ...extra });

  it.each([
    ["an unknown ui key", { ui: { welcom: "hi" } }, /^defineApp: ui: /],
    ["an empty starter label", { ui: { starters: [{ label: " ", message: "go" }] } }, /^defineApp: ui\.starters\.0\.label: must not be empty/],
    ["a welcome that is neither text nor a function", { ui: { welcome: 42 } }, /^defineApp: ui\.welcome: /],
    ["too many starters", { ui: { starters: Array.from({ length: 13 }, (_, i) => ({ label: `s${i}`, message: "go" })) } }, /^defineApp: ui\.starters: /],
    ["an unknown setting type", { settings: [{ id: "x", type: "color", label: "X", default: "red" }] }, /^defineApp: settings\.0/],
    [
      "a select default outside its options",
      { settings: [{ ...model, default: "huge" }] },
      /^defineApp: settings\.0\.default: must be one of the options' values/,
    ],
    ["a select without options", { settings: [{ ...model, options: [] }] }, /^defineApp: settings\.0\.options: needs at least one option/],
    [
      "a slider default off its steps",
      { settings: [{ ...temperature, default: 0.75 }] },
      /^defineApp: settings\.0\.default: must be from min to max, on a step/,
    ],
    ["a slider whose max is not above min", { settings: [{ ...temperature, min: 2, max: 2 }] }, /^defineApp: settings\.0\.max: must be greater than min/],
    ["a switch with a text default", { settings: [{ id: "on", type: "switch", label: "On", default: "yes" }] }, /^defineApp: settings\.0\.default: /],
    [
      "a text default longer than maxLength",
      { settings: [{ id: "t", type: "text", label: "T", maxLength: 3, default: "long" }] },
      /settings\.0\.default: is longer than maxLength/,
    ],
    ["two settings with one id", { settings: [model, { ...temperature, id: "model" }] }, /^defineApp: settings\.1\.id: duplicate setting id "model"/],
    ["a setting id with spaces", { settings: [{ ...model, id: "my model" }] }, /^defineApp: settings\.0\.id: not a valid id/],
    ["an unknown key in a setting", { settings: [{ ...model, colour: "red" }] }, /^defineApp: settings\.0: /],
    ["two profiles with one id", { profiles: [profiles[0], { ...profiles[1], id: "concise" }] }, /^defineApp: profiles\.1\.id: duplicate profile id "concise"/],
    ["a profile without a name", { profiles: [{ id: "p", name: "", description: "" }] }, /^defineApp: profiles\.0\.name: must not be empty/],
    ["onFeedback that is not a function", { onFeedback: "log" }, /^defineApp: onFeedback: must be a function/],
  ])("refuses %s with a ParlorConfigError naming the field", (_case, extra, message) => {
    expect(app(extra as Partial<AppDefinition>)).toThrow(ParlorConfigError);
    expect(app(extra as Partial<AppDefinition>)).toThrow(message);
  });

  it("accepts a full declaration", () => {
    expect(app({ ui: { welcome: "Hi", starters: [{ label: "a", message: "b" }] }, settings: [model, temperature], profiles })).not.toThrow();
  });
});
