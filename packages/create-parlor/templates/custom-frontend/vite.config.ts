import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The frontend in web/ is built into dist/, which app.ts serves. Relative asset URLs ("./")
// keep the build working when the app is served under a path (PARLOR_PUBLIC_URL with a path).
export default defineConfig({
  root: "web",
  base: "./",
  plugins: [react()],
  build: { outDir: "../dist", emptyOutDir: true },
});
