import { createContext } from "react";
import type { ParlorClient } from "@parlor/client";

/** The client of the nearest `ParlorProvider`. Internal: read it with `useParlorClient()`. */
export const ParlorContext = createContext<ParlorClient | null>(null);
