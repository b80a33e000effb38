import { isLoopback } from "parlor";
import { fail, ok, warn, type Check } from "./check.js";

/**
 * The sites that embed the chat (widget.js): each origin should be https, since the host page
 * vouches for its users with a token that plain http exposes on the network.
 */
export const embedsCheck: Check = {
  name: "embeds",
  run({ config }) {
    if (config.embeds.length === 0) return [ok("no embeddings (widget.js on other sites)")];
    return config.embeds.map(({ id, origins }) => {
      const plain = origins.filter((origin) => origin.startsWith("http:") && !isLoopback(new URL(origin).hostname));
      if (plain.length === 0) return ok(`embedding ${id}: ${origins.join(", ")}`);
      const variable = `PARLOR_EMBED_${id.toUpperCase().replace(/-/g, "_")}_ORIGINS`;
      return (config.production ? fail : warn)(`embedding ${id}: ${plain.join(", ")} is plain http; list https origins only (${variable})`);
    });
  },
};
