import type { MessageKey } from "../i18n";

/** "1.2 MB", "1,2 Mo": binary multiples, in the UI's language. */
export function formatBytes(bytes: number, locale = "en"): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit > 0 && value < 10 && !Number.isInteger(value) ? 1 : 0;
  // Bytes spelled out ("591 bytes", "591 octets"); the multiples short ("kB", "Mo").
  const unitDisplay = unit === 0 ? "long" : "short";
  return new Intl.NumberFormat(locale, { style: "unit", unit: units[unit], unitDisplay, maximumFractionDigits: digits }).format(value);
}

/** "45 seconds", "1 minute", "5 minutes" (rounded up: never tell someone to wait too little). */
export function formatWait(seconds: number, locale = "en"): string {
  const [value, unit] = seconds < 60 ? [Math.max(1, Math.ceil(seconds)), "second"] : [Math.ceil(seconds / 60), "minute"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

/** "just now" (given, in the UI's language), "5 minutes ago", "yesterday", then a date. */
export function formatRelative(iso: string, { locale, justNow, now = Date.now() }: { locale: string; justNow: string; now?: number }): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return "";
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const seconds = Math.round((time - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return justNow;
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), "day");
  return formatDate(iso, locale);
}

export function formatDate(iso: string, locale: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? "" : new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(time);
}

export function formatDateTime(iso: string, locale: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? "" : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(time);
}

/** A message's time: "14:05" today, else with the date. */
export function formatMessageTime(iso: string, locale: string, now = new Date()): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return "";
  const today = time.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(locale, today ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" }).format(time);
}

/** The sidebar's groups of threads by last activity, as catalog keys. */
export function activityGroup(iso: string, now = new Date()): MessageKey {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return "group.older";
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 86_400_000;
  if (time >= startOfToday) return "group.today";
  if (time >= startOfToday - day) return "group.yesterday";
  if (time >= startOfToday - 7 * day) return "group.week";
  if (time >= startOfToday - 30 * day) return "group.month";
  return "group.older";
}
