import { useAuth, type AppFace } from "@parlor/react";
import { useEffect } from "react";
import { applyAccent } from "./apply-accent";

/** Before `/auth/config` has answered (or when it fails): the name this UI has always had. */
const UNKNOWN_FACE: AppFace = { name: "Parlor" };

/** The app's name, logo and accent colour, from `GET /auth/config` (`defineApp({ ui })`). */
export function useAppFace(): AppFace {
  return useAuth().config?.app ?? UNKNOWN_FACE;
}

/** The largest upload the server takes, in bytes; 0 when it does not say. */
export function useUploadLimit(): number {
  return useAuth().config?.maxUploadBytes ?? 0;
}

/** Applies the app's accent colour to the page while it is mounted (`applyAccent`). */
export function useAppAccent(): void {
  const { accentColor } = useAppFace();
  useEffect(() => {
    applyAccent(accentColor);
    return () => applyAccent(undefined);
  }, [accentColor]);
}
