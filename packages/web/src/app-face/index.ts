export { AppLogo } from "./AppLogo";
export { applyAccent } from "./apply-accent";
export { useAppAccent, useAppFace, useUploadLimit } from "./use-app-face";
