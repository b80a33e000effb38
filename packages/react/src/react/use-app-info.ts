import type { AppInfoState } from "@parlor/client";
import { useParlorClient } from "./use-parlor-client.js";
import { useStore } from "./use-store.js";

export interface UseAppInfoResult extends AppInfoState {
  /** Loads `GET /api/app` again. */
  refresh(): Promise<void>;
}

/**
 * What the app offers around the chat (`GET /api/app`), loaded once per session and shared
 * by every component: the welcome text, starter prompts, chat settings and profiles.
 *
 * @example
 * function Starters({ send }: { send(text: string): void }) {
 *   const { info } = useAppInfo();
 *   return <>{info?.starters.map((s) => <button key={s.label} onClick={() => send(s.message)}>{s.label}</button>)}</>;
 * }
 */
export function useAppInfo(): UseAppInfoResult {
  const client = useParlorClient();
  const state = useStore(client.appInfo);
  return { ...state, refresh: client.appInfo.refresh };
}
