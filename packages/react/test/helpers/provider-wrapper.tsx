import { ParlorProvider, type ParlorClient } from "@parlor/react";
import type { ReactNode } from "react";

/** `renderHook(…, { wrapper: providerWrapper(client) })`: hooks under a provider for `client`. */
export const providerWrapper = (client: ParlorClient) =>
  function Wrapper({ children }: { children: ReactNode }) {
    return <ParlorProvider client={client}>{children}</ParlorProvider>;
  };
