import { WidgetError } from "./widget-error.js";

export type WidgetTheme = "light" | "dark" | "auto";

/** What a host page passes to `Parlor.mount`. */
export interface MountOptions {
  /** The embedding's id, as configured on the Parlor server (`/embed/<id>`). */
  embed: string;
  /** Returns a fresh host token (a short-lived JWT the host's backend mints for its user). */
  getToken: () => string | Promise<string>;
  /**
   * The Parlor server: its origin, plus its path prefix when it has one
   * (`https://example.com/chat/`). By default where `widget.js` was loaded from.
   */
  server?: string;
  /** Start with the panel open (default: closed, or open with `container`). */
  open?: boolean;
  /** An element to render the chat into, instead of a floating button and panel. */
  container?: HTMLElement;
  /** Default `auto` (follows the visitor's system setting). */
  theme?: WidgetTheme;
  /** A BCP 47 language tag for the chat (`en`, `fr-CA`). */
  language?: string;
}

/** The options after validation, with defaults filled in. */
export interface ResolvedOptions {
  embed: string;
  getToken: () => string | Promise<string>;
  /** An origin (`https://chat.example.com`), never with a path: what messages are checked against. */
  serverOrigin: string;
  /** The server's base URL, ending with `/` (`https://example.com/chat/` under a prefix). */
  serverUrl: string;
  hostOrigin: string;
  open: boolean;
  container: HTMLElement | null;
  theme: WidgetTheme;
  language: string | null;
}

/** Where the script runs: passed in so that validation needs no DOM and is tested in Node. */
export interface PageContext {
  /**
   * The folder of `widget.js`'s own `<script src>` (`https://example.com/chat/` for
   * `https://example.com/chat/widget.js`), or null when it was not loaded by one.
   */
  scriptBase: string | null;
  /** `location.origin` of the host page. */
  hostOrigin: string;
}

const KNOWN = ["embed", "getToken", "server", "open", "container", "theme", "language"] as const;
// The server's embedding ids (`/embed/<id>`): safe in a URL path without escaping surprises.
const EMBED_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Loose BCP 47: a language subtag, then subtags of up to 8 letters or digits.
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$/;

function fail(message: string): never {
  throw new WidgetError("invalid_options", `Parlor.mount: ${message}`);
}

function isElement(value: unknown): value is HTMLElement {
  // Duck-typed rather than `instanceof HTMLElement`: an element from another same-origin frame
  // is a fine container too, and Node (where this is unit-tested) has no HTMLElement.
  return typeof value === "object" && value !== null && (value as Node).nodeType === 1 && typeof (value as Node).appendChild === "function";
}

/** The server's base URL, ending with `/`. */
function parseServer(server: unknown): string {
  if (typeof server !== "string") fail('`server` must be a string such as "https://chat.example.com"');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    fail(`\`server\` is not a URL: ${JSON.stringify(server)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") fail(`\`server\` must be an http(s) URL, not ${url.protocol}`);
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    fail(`\`server\` must be the server's origin and path prefix only, like ${JSON.stringify(url.origin + url.pathname)}`);
  }
  return url.origin + url.pathname.replace(/\/*$/, "/");
}

/** Checks `Parlor.mount`'s argument; throws a `WidgetError` (`invalid_options`) naming the bad option. */
export function resolveMountOptions(input: unknown, page: PageContext): ResolvedOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input)) fail('expected an options object, e.g. { embed: "shop", getToken }');
  const options = input as Record<string, unknown>;
  // A typo (`gettoken`) would otherwise be ignored and the widget fail later, far from the cause.
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) fail(`unknown option \`${key}\`; the options are ${KNOWN.join(", ")}`);
  }
  if (typeof options.embed !== "string" || !EMBED_ID.test(options.embed)) {
    fail("`embed` is required: the embedding's id, 1 to 64 letters, digits, `-` or `_`");
  }
  if (typeof options.getToken !== "function") fail("`getToken` is required: a function that returns (a promise of) the host token");
  if (options.open !== undefined && typeof options.open !== "boolean") fail("`open` must be true or false");
  if (options.container !== undefined && !isElement(options.container)) fail("`container` must be an element");
  if (options.container !== undefined && !options.container.isConnected) fail("`container` is not in the document");
  if (options.theme !== undefined && options.theme !== "light" && options.theme !== "dark" && options.theme !== "auto") {
    fail('`theme` must be "light", "dark" or "auto"');
  }
  if (options.language !== undefined && (typeof options.language !== "string" || !LANGUAGE_TAG.test(options.language))) {
    fail('`language` must be a language tag such as "en" or "fr-CA"');
  }

  let serverUrl: string;
  if (options.server !== undefined) serverUrl = parseServer(options.server);
  else if (page.scriptBase !== null) serverUrl = page.scriptBase;
  else fail("`server` is required when widget.js is not loaded by its own <script src> tag");

  // The chat answers to this exact origin only; an opaque origin ("null") names no one.
  if (!/^https?:\/\/[^/]+$/.test(page.hostOrigin)) {
    throw new WidgetError("unsupported_page", `Parlor.mount: the page's origin is ${JSON.stringify(page.hostOrigin)}; the widget needs an http(s) page`);
  }

  const container = options.container ?? null;
  return {
    embed: options.embed,
    getToken: options.getToken as () => string | Promise<string>,
    serverOrigin: new URL(serverUrl).origin,
    serverUrl,
    hostOrigin: page.hostOrigin,
    open: options.open ?? container !== null,
    container,
    theme: options.theme ?? "auto",
    language: options.language ?? null,
  };
}

/** The iframe's address: `<server>/embed/<id>?host=<origin>` plus the display options. */
export function embedUrl(options: ResolvedOptions): string {
  const url = new URL(`embed/${options.embed}`, options.serverUrl);
  url.searchParams.set("host", options.hostOrigin);
  url.searchParams.set("theme", options.theme);
  if (options.language !== null) url.searchParams.set("lang", options.language);
  return url.href;
}
