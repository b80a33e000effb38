import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppFace } from "@parlor/protocol";
import type { FastifyInstance } from "fastify";
import type { ParlorApp } from "../app/define-app.js";
import { ParlorConfigError } from "../errors.js";
import { sniffType } from "../files/sniff-type.js";

/** A logo file is an image for a header, not a photo album. */
const MAX_LOGO_BYTES = 1024 * 1024;

/** The image types a logo file may be, as sniffed from its bytes (never from its name). */
const LOGO_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/svg+xml"]);

/**
 * Sent with a served logo. It is the app author's file, not a user's, but an SVG opened on its
 * own is still a document on the app's origin: the sandbox and `default-src 'none'` keep it
 * from running script there, while its inline styles still draw. Its URL names its content
 * hash, so it is cached for a year and never goes stale.
 */
const LOGO_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "public, max-age=31536000, immutable",
} as const;

/** A logo file read at start-up. */
export interface LogoFile {
  bytes: Buffer;
  mime: string;
}

/** The app's face for `/auth/config`, and what serving it needs. */
export interface ResolvedAppFace {
  face: AppFace;
  /** A local logo, served at `<prefix>/auth/logo`. */
  logoFile?: LogoFile;
  /** The origin of an `https:` logo, which the CSP's `img-src` must allow. */
  logoOrigin?: string;
}

/**
 * Reads `defineApp({ name, ui })` into the public face: the display name, the logo's URL and
 * the accent colour. A local logo is read and checked now, so a missing file or a file that is
 * not an image fails at start-up with a `ParlorConfigError`, not on the login page.
 */
export async function resolveAppFace(app: ParlorApp, basePath: string): Promise<ResolvedAppFace> {
  const ui = app.ui ?? {};
  const face: AppFace = { name: ui.name?.trim() || app.name };
  if (ui.accentColor !== undefined) face.accentColor = ui.accentColor.toLowerCase();
  const logo = ui.logo?.trim();
  if (logo === undefined) return { face };
  if (logo.startsWith("https://")) {
    face.logo = new URL(logo).href;
    return { face, logoOrigin: new URL(logo).origin };
  }
  const logoFile = await readLogo(logo.startsWith("file:") ? fileURLToPath(logo) : resolve(logo));
  const hash = createHash("sha256").update(logoFile.bytes).digest("base64url").slice(0, 16);
  face.logo = `${basePath}/auth/logo?v=${hash}`;
  return { face, logoFile };
}

async function readLogo(path: string): Promise<LogoFile> {
  const size = await stat(path).then(
    (info) => (info.isFile() ? info.size : -1),
    (error: unknown) => {
      throw new ParlorConfigError(`defineApp: ui.logo: cannot read ${path}`, { cause: error });
    },
  );
  if (size < 0) throw new ParlorConfigError(`defineApp: ui.logo: ${path} is not a file`);
  if (size === 0 || size > MAX_LOGO_BYTES) throw new ParlorConfigError(`defineApp: ui.logo: ${path} must be between 1 byte and 1 MB`);
  const bytes = await readFile(path);
  const mime = await sniffType(bytes);
  if (!LOGO_TYPES.has(mime)) {
    throw new ParlorConfigError(`defineApp: ui.logo: ${path} is not a PNG, JPEG, GIF, WebP, AVIF or SVG image (its content reads as ${mime})`);
  }
  return { bytes, mime };
}

/** `GET /auth/logo`: the app's local logo, public like `/auth/config` (the login page shows it). */
export async function appLogoRoute(fastify: FastifyInstance, { logo }: { logo: LogoFile }) {
  fastify.get("/auth/logo", { config: { auth: "optional" } }, async function appLogo(_request, reply) {
    return reply.headers({ ...LOGO_HEADERS, "content-type": logo.mime, "content-length": String(logo.bytes.length) }).send(logo.bytes);
  });
}
