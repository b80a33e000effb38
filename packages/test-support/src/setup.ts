/** Vitest setup file (see the root vitest.config.ts): file-level cleanups of the test kit. */
import { installFileCleanup } from "./cleanup.js";

installFileCleanup();
