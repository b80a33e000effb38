import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The child `tsx watch` runs and restarts: serves the app and checks its types. */
const SERVE_WATCHED = fileURLToPath(new URL("./serve-watched.js", import.meta.url));

/**
 * `parlor run --watch`: tsx's own watch mode runs the app and restarts it when a file it
 * imports changes (tsx knows the import graph; node_modules is left out). Hand-written
 * watching was the other choice: chokidar's current major needs Node 22, and `fs.watch`
 * with `recursive` would walk node_modules.
 *
 * A restart is quick because the app gets no shutdown grace by default (a reply running
 * during a restart is stored `interrupted`); the development secret and the database are
 * on disk, so sessions survive and open tabs reconnect by themselves.
 */
export async function watchApp(file: string): Promise<void> {
  const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
  const child = spawn(process.execPath, [tsxCli, "watch", "--clear-screen=false", SERVE_WATCHED, file], {
    stdio: "inherit",
    env: { ...process.env, PARLOR_SHUTDOWN_GRACE: process.env.PARLOR_SHUTDOWN_GRACE ?? "0" },
  });
  // Ctrl-C reaches tsx through the terminal's process group; a SIGTERM sent to this process
  // alone is passed on.
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  process.on("SIGINT", () => undefined);
  const code = await new Promise<number>((resolve) => child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + 15 : 1))));
  process.exit(code);
}
