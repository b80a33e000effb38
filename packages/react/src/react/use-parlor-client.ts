import { useContext } from "react";
import type { ParlorClient } from "@parlor/client";
import { ParlorContext } from "./parlor-context.js";

/**
 * The client of the nearest `ParlorProvider`, for what the hooks do not cover.
 *
 * @example
 * const client = useParlorClient();
 * const src = client.fileUrl(file.id);
 */
export function useParlorClient(): ParlorClient {
  const client = useContext(ParlorContext);
  if (client === null) throw new Error("Parlor hooks must be used inside <ParlorProvider>");
  return client;
}
