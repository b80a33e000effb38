/**
 * What an app offers its users beyond the chat itself, as `GET /api/app` carries it: the
 * welcome text and starter prompts of an empty chat, the per-thread settings and the
 * profiles a chat can start with. The server validates the app's declarations at start-up
 * (server README, "Welcome and starters", "Chat settings and profiles").
 */

/** A prompt shown in an empty chat; a click sends `message`. */
export interface StarterPrompt {
  label: string;
  message: string;
}

interface SettingBase {
  /** Stable key of the value in `chat.settings`; letters, digits, `_` and `-`. */
  id: string;
  label: string;
  description?: string;
}

/** One choice among `options`; the value is the option's `value`. */
export interface SelectSetting extends SettingBase {
  type: "select";
  options: Array<{ value: string; label: string }>;
  default: string;
}

/** A number from `min` to `max`, in steps of `step` from `min`. */
export interface SliderSetting extends SettingBase {
  type: "slider";
  min: number;
  max: number;
  step: number;
  default: number;
}

/** On or off. */
export interface SwitchSetting extends SettingBase {
  type: "switch";
  default: boolean;
}

/** Free text of at most `maxLength` characters. */
export interface TextSetting extends SettingBase {
  type: "text";
  placeholder?: string;
  maxLength: number;
  default: string;
}

/** A per-thread setting an app declares (`defineApp({ settings })`). */
export type ChatSetting = SelectSetting | SliderSetting | SwitchSetting | TextSetting;

/** A setting's value: a string (select, text), a number (slider) or a boolean (switch). */
export type ChatSettingValue = string | number | boolean;

/** A thread's settings by id: every declared setting, stored or default. */
export type ChatSettingValues = Record<string, ChatSettingValue>;

/** A way of chatting the user picks when a chat starts (`defineApp({ profiles })`), read as `chat.profile`. */
export interface ChatProfile {
  id: string;
  name: string;
  description: string;
}

/** `GET /api/app` (authenticated): what the web UI shows around the chat. */
export interface AppInfo {
  /** Markdown, for this user; `null` when the app sets none. */
  welcome: string | null;
  starters: StarterPrompt[];
  settings: ChatSetting[];
  profiles: ChatProfile[];
}

/** The longest text a `text` setting may declare as `maxLength`. */
export const MAX_TEXT_SETTING_LENGTH = 10_000;
