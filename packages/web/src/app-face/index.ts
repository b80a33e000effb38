export { AppLogo } from "./AppLogo";
export { applyAccent } from "./apply-accent";
export { useAppFace, useUploadLimit } from "./use-app-face";
