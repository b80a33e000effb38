import { afterAll, onTestFinished, TestRunner } from "vitest";

const fileLevel: Array<() => unknown> = [];

/**
 * Runs `cleanup` when the current test ends, or, for what a `beforeAll` started, when the
 * test file ends (see `setup.ts`, a vitest setup file). Cleanups run last-registered first,
 * so sockets close before the server they talk to.
 */
export function registerCleanup(cleanup: () => unknown): void {
  if (TestRunner.getCurrentTest()) onTestFinished(async () => void (await cleanup()));
  else fileLevel.push(cleanup);
}

/** Runs the file-level cleanups; registered as an `afterAll` of every test file by `setup.ts`. */
export function installFileCleanup(): void {
  afterAll(async () => {
    for (const cleanup of fileLevel.splice(0).reverse()) await cleanup();
  });
}
