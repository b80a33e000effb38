import { translator, type Translate } from "../i18n";
export interface Device {
  /** "Chrome on macOS", or "Unknown device". */
  name: string;
  mobile: boolean;
}

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bHeadlessChrome\//, "Headless Chrome"],
  [/\bChrome\/|\bCriOS\/|\bChromium\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/\bnode\b|undici|node-fetch/i, "Node.js"],
  [/\bcurl\//, "curl"],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

/**
 * A short, human name for a session's device, from its user agent. A guess, for display only.
 *
 * @example
 * deviceFromUserAgent("Mozilla/5.0 (X11; Linux x86_64) … Chrome/126.0 Safari/537.36") // → { name: "Chrome on Linux", mobile: false }
 */
export function deviceFromUserAgent(userAgent: string | null, t: Translate = translator("en")): Device {
  if (!userAgent) return { name: t("device.unknown"), mobile: false };
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const mobile = /\bMobile\b|\biPhone\b|\bAndroid\b/.test(userAgent);
  const name = browser && system ? t("device.on", { browser, system }) : (browser ?? system ?? t("device.unknown"));
  return { name, mobile };
}
