import { createContext } from "react";
import type { ParlorClient } from "../core/parlor-client.js";

/** The client of the nearest `ParlorProvider`. Internal: read it with `useParlorClient()`. */
export const ParlorContext = createContext<ParlorClient | null>(null);
