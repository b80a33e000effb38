import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The child `tsx watch` runs and restarts: serves the app and checks its types. */
const SERVE_WATCHED = fileURLToPath(new URL("./serve-watched.js", import.meta.url));

/** What an app's own code is written in. Not .html or .css: a frontend's build output changes many at once. */
const SOURCE_EXTENSIONS = ["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "json"];

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
  // tsx learns the app's imports from the running app and watches them from then on, which on
  // Node 22 lands up to a second after the app is ready: a file saved in that window was never
  // picked up. tsx watches `--include` files before it starts the app, so the sources in the
  // app's own folder (node_modules and dot-folders such as .parlor/ stay out) are watched
  // from the start; imports from elsewhere are still followed as tsx learns them.
  const sources = join(dirname(resolve(file)), `**/*.{${SOURCE_EXTENSIONS.join(",")}}`);
  const child = spawn(process.execPath, [tsxCli, "watch", "--clear-screen=false", "--include", sources, SERVE_WATCHED, file], {
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
