import { loadApp } from "../load-app.js";
import { serveApp } from "../serve-app.js";
import { reportUsageError } from "../report-error.js";
import { checkTypes } from "./check-types.js";

/**
 * What `tsx watch` runs (see watch-app.ts): the app, imported plainly so that tsx sees and
 * watches every file it uses, then a type check in the background.
 */
const file = process.argv[2]!;
try {
  await serveApp(await loadApp(file, { plainImport: true }));
  void checkTypes(file);
} catch (error) {
  // tsx keeps watching: the next save restarts the app.
  reportUsageError(error);
  process.stderr.write("parlor: waiting for a change to restart\n");
}
