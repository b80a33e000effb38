/**
 * The entry of `widget.js`: defines `window.Parlor`. Which server to talk to defaults to the
 * origin this script was loaded from, and `document.currentScript` names it only while the
 * script first runs, so it is read here, at load.
 */
import { createParlorApi, type ParlorApi } from "./parlor-api.js";

declare global {
  interface Window {
    Parlor?: ParlorApi;
  }
}

const script = document.currentScript;
const scriptBase = script instanceof HTMLScriptElement && script.src !== "" ? new URL(".", script.src).href : null;

// Loaded twice (two snippets on one page): the first copy keeps its mounted widget.
if (window.Parlor === undefined) {
  window.Parlor = createParlorApi(() => ({ scriptBase, hostOrigin: window.location.origin }));
}
