import { fileTypeFromBuffer } from "file-type";

/** How many leading bytes are read to decide a file's type. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Markup a browser could run script from, looked for anywhere in the head of a binary
 * (polyglots). Only tokens of five bytes or more: shorter ones turn up by chance in
 * compressed image data.
 */
const ACTIVE_MARKUP = /<\s*(script|html|body|svg|iframe|object|embed|!doctype)\b|javascript:/i;
/** Text that a browser would parse as a document rather than show as text. */
const DOCUMENT_MARKUP = /<\s*(script|html|body|svg|iframe|object|embed|!doctype|\?xml|meta|link|style|img|a|form|div|p|xml)\b|<\w+:\w+/i;

/**
 * The type of a file from its first bytes, never from what the client claims.
 * Binary formats come from `file-type`. Text is `text/plain` only when it is valid UTF-8
 * with no markup in it; HTML, SVG and XML, and binaries with markup inside (a GIF that is
 * also an HTML page), come back as types that are never shown inline.
 */
export async function sniffType(head: Uint8Array): Promise<string> {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("latin1");
  const detected = await fileTypeFromBuffer(head);
  // XML is text: classified below, with the rest of the markup.
  if (detected && !/xml/.test(detected.mime)) {
    if (!isContainerOrMedia(detected.mime) && ACTIVE_MARKUP.test(text)) return "application/octet-stream";
    return detected.mime;
  }
  if (DOCUMENT_MARKUP.test(text)) {
    if (/<\s*svg\b/i.test(text)) return "image/svg+xml";
    if (/<\s*(html|!doctype|body|script)\b/i.test(text)) return "text/html";
    return "application/xml";
  }
  if (isUtf8Text(head)) return "text/plain";
  return "application/octet-stream";
}

/**
 * Archives, PDFs and audio/video are never rendered as HTML, and their compressed bytes can
 * hold any sequence: markup in them is noise, not a polyglot.
 */
function isContainerOrMedia(mime: string): boolean {
  return /^(audio|video)\//.test(mime) || /pdf|zip|gzip|x-7z|x-rar|x-tar|x-bzip2|x-xz|zstd/.test(mime);
}

function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    // A chunk boundary may split a character: ignore an incomplete sequence at the very end.
    new TextDecoder("utf-8", { fatal: true }).decode(trimIncompleteTail(bytes));
    return true;
  } catch {
    return false;
  }
}

function trimIncompleteTail(bytes: Uint8Array): Uint8Array {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (bytes[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i]!;
  const expected = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return expected > continuation ? bytes.subarray(0, i) : bytes;
}
