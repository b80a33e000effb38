/**
 * Whether an error is the request being aborted by the user's stop: the SDKs throw their own
 * abort errors (`APIUserAbortError`, an `AbortError` DOMException), so the signal is the one
 * reliable witness.
 */
export function stoppedBy(signal: AbortSignal, error: unknown): boolean {
  return signal.aborted || (error instanceof Error && error.name === "AbortError");
}
