import { MAX_TEXT_SETTING_LENGTH, type ChatSetting, type ChatSettingValue, type ChatSettingValues } from "@parlor/protocol";
import { z } from "zod";
import { idSchema, isStorableText, storableTextMessage } from "../http/input-schemas.js";

/**
 * A chat setting as an app declares it (`defineApp({ settings })`). As `ChatSetting` of
 * `@parlor/protocol`, with two defaults: a slider's `step` is 1, a text's `maxLength` 1000.
 *
 * @example
 * settings: [
 *   { id: "model", type: "select", label: "Model", options: [{ value: "small", label: "Small" }, { value: "large", label: "Large" }], default: "small" },
 *   { id: "temperature", type: "slider", label: "Temperature", min: 0, max: 2, step: 0.1, default: 1 },
 *   { id: "stream", type: "switch", label: "Stream tokens", default: true },
 *   { id: "persona", type: "text", label: "System prompt", default: "" },
 * ]
 */
export type ChatSettingDefinition =
  | Exclude<ChatSetting, { type: "slider" | "text" }>
  | (Omit<Extract<ChatSetting, { type: "slider" }>, "step"> & { step?: number })
  | (Omit<Extract<ChatSetting, { type: "text" }>, "maxLength"> & { maxLength?: number });

const label = z.string().trim().min(1, "must not be empty").max(100).refine(isStorableText, storableTextMessage);
const base = { id: idSchema, label, description: z.string().max(1000).refine(isStorableText, storableTextMessage).optional() };
const finite = z.number().refine(Number.isFinite, "must be a finite number");

const settingSchema = z.discriminatedUnion("type", [
  z
    .object({
      ...base,
      type: z.literal("select"),
      options: z
        .array(z.object({ value: z.string().min(1).max(200).refine(isStorableText, storableTextMessage), label }).strict())
        .min(1, "needs at least one option")
        .max(100),
      default: z.string(),
    })
    .strict()
    .superRefine((setting, context) => {
      const values = setting.options.map((option) => option.value);
      if (new Set(values).size !== values.length) context.addIssue({ code: "custom", path: ["options"], message: "option values must be unique" });
      if (!values.includes(setting.default)) context.addIssue({ code: "custom", path: ["default"], message: "must be one of the options' values" });
    }),
  z
    .object({ ...base, type: z.literal("slider"), min: finite, max: finite, step: finite.positive().default(1), default: finite })
    .strict()
    .superRefine((setting, context) => {
      if (setting.min >= setting.max) context.addIssue({ code: "custom", path: ["max"], message: "must be greater than min" });
      if (!onSlider(setting, setting.default)) context.addIssue({ code: "custom", path: ["default"], message: "must be from min to max, on a step" });
    }),
  z.object({ ...base, type: z.literal("switch"), default: z.boolean() }).strict(),
  z
    .object({
      ...base,
      type: z.literal("text"),
      placeholder: z.string().max(200).optional(),
      maxLength: z.number().int().min(1).max(MAX_TEXT_SETTING_LENGTH).default(1000),
      default: z.string().refine(isStorableText, storableTextMessage),
    })
    .strict()
    .superRefine((setting, context) => {
      if (setting.default.length > setting.maxLength) context.addIssue({ code: "custom", path: ["default"], message: "is longer than maxLength" });
    }),
]);

/** The `settings` option of `defineApp`: checked at start-up; ids are unique. */
export const chatSettingsSchema = z
  .array(settingSchema)
  .max(50)
  .superRefine((settings, context) => {
    const seen = new Set<string>();
    settings.forEach((setting, index) => {
      if (seen.has(setting.id)) context.addIssue({ code: "custom", path: [index, "id"], message: `duplicate setting id "${setting.id}"` });
      seen.add(setting.id);
    });
  });

/** A value checked against the declared settings, or why it was refused. */
export type SettingsCheck = { ok: true; values: ChatSettingValues } | { ok: false; message: string };

/**
 * An app's chat settings, normalized once (`step`, `maxLength` filled in): their defaults,
 * the check of values a client sends, and a thread's effective values.
 */
export class ChatSettings {
  readonly definitions: readonly ChatSetting[];
  private readonly byId: ReadonlyMap<string, ChatSetting>;

  /** `declared` was validated by `defineApp`; parsing again only fills in the defaults. */
  constructor(declared: readonly ChatSettingDefinition[] = []) {
    this.definitions = Object.freeze(chatSettingsSchema.parse(declared) as ChatSetting[]);
    this.byId = new Map(this.definitions.map((setting) => [setting.id, setting]));
  }

  /**
   * Checks values a client sent (some or all settings). Refused whole, with a message naming
   * the first wrong one, when an id is not declared or a value does not fit its setting.
   */
  check(input: Record<string, unknown>): SettingsCheck {
    const values: ChatSettingValues = {};
    for (const [id, value] of Object.entries(input)) {
      const setting = this.byId.get(id);
      if (setting === undefined) return { ok: false, message: `Unknown setting "${id}"` };
      const problem = valueProblem(setting, value);
      if (problem !== null) return { ok: false, message: `${id}: ${problem}` };
      values[id] = value as ChatSettingValue;
    }
    return { ok: true, values };
  }

  /**
   * A thread's effective values: its stored changes over the defaults. A stored value the
   * app no longer declares, or that no longer fits (the app changed its settings), gives way
   * to the default.
   */
  resolve(stored: string | null): ChatSettingValues {
    const values: ChatSettingValues = {};
    for (const setting of this.definitions) values[setting.id] = setting.default;
    const changed = parseStored(stored);
    for (const [id, value] of Object.entries(changed)) {
      const setting = this.byId.get(id);
      if (setting !== undefined && valueProblem(setting, value) === null) values[id] = value as ChatSettingValue;
    }
    return values;
  }

  /** The JSON to store: the thread's stored changes with `changes` applied. */
  merge(stored: string | null, changes: ChatSettingValues): string {
    return JSON.stringify({ ...parseStored(stored), ...changes });
  }
}

function parseStored(stored: string | null): Record<string, unknown> {
  if (stored === null) return {};
  try {
    const parsed: unknown = JSON.parse(stored);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Why `value` does not fit `setting`, or `null` when it does. */
function valueProblem(setting: ChatSetting, value: unknown): string | null {
  switch (setting.type) {
    case "select":
      return typeof value === "string" && setting.options.some((option) => option.value === value) ? null : "must be one of the options' values";
    case "slider":
      return typeof value === "number" && onSlider(setting, value)
        ? null
        : `must be a number from ${setting.min} to ${setting.max} in steps of ${setting.step}`;
    case "switch":
      return typeof value === "boolean" ? null : "must be true or false";
    case "text":
      if (typeof value !== "string") return "must be a string";
      if (value.length > setting.maxLength) return `must be at most ${setting.maxLength} characters`;
      return isStorableText(value) ? null : storableTextMessage;
  }
}

/** From min to max, on a step counted from min (with room for binary fractions: 0.1 steps). */
function onSlider(setting: { min: number; max: number; step?: number }, value: number): boolean {
  if (!Number.isFinite(value) || value < setting.min || value > setting.max) return false;
  const steps = (value - setting.min) / (setting.step ?? 1);
  return Math.abs(steps - Math.round(steps)) < 1e-9;
}
