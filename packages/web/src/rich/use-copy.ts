import { useEffect, useRef, useState } from "react";

/** How long "Copied" shows before the button goes back to "Copy". */
const COPIED_MS = 1500;

/**
 * Copies text to the clipboard, and says so for a moment (`copied`). A refused clipboard
 * (no permission, an insecure origin) leaves `copied` false: the button simply stays "Copy".
 */
export function useCopy(): { copied: boolean; copy(text: string): Promise<void> } {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      return;
    }
    setCopied(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), COPIED_MS);
  }
  return { copied, copy };
}
