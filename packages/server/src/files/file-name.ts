const MAX_NAME = 255;

/**
 * A file name safe to store and to show: no directories, no control characters, no
 * leading dots, at most 255 characters. Only ever metadata: storage keys are random.
 */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    // eslint-disable-next-line no-control-regex -- control characters are what this strips
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/^[.\s]+/, "")
    .trim();
  return (cleaned || "file").slice(0, MAX_NAME);
}
