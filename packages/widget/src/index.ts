// What other TypeScript code may import (types for a host page written in TypeScript, tests).
// `widget.js` itself is built from main.ts.
export { createParlorApi, WIDGET_VERSION, type ParlorApi } from "./parlor-api.js";
export type { ClientFunction } from "./function-registry.js";
export type { MountOptions, WidgetTheme } from "./mount-options.js";
export { WidgetError, type WidgetErrorCode } from "./widget-error.js";
