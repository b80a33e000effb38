import type { AppDefinition } from "parlor";
import { echoApp } from "./echo-app.js";
import { gate } from "./gate.js";

export interface FeatureAppOptions {
  /** Milliseconds a question waits (`chat.ask`'s `timeout`); default 60 000. */
  askTimeout?: number;
  /** Replaces the app's `ui`. */
  ui?: AppDefinition["ui"];
  /** The password it accepts (default: the echo app's). */
  password?: string;
}

/**
 * The echo app plus commands that use steps, actions and questions, for the suites of those
 * features (server, `@parlor/react`, web UI). Any other message is echoed.
 *
 * - `/search <query>`: a `retrieval` step "search" with a nested `tool` step "rank", then
 *   the answer `Found 2 results for <query>`.
 * - `/fail`: a step that throws; the app catches it and answers `recovered`.
 * - `/hold`: a step that streams `working…` and waits for `release()` (or a stop).
 * - `/choose`, `/choose-once`: two actions (`Red`, `Blue`), `once` for the second command;
 *   `onAction` answers `You chose <color>` from the payload, which also holds a secret.
 * - `/ask-text`, `/ask-file`, `/ask-action`: ask, then answer with what came back
 *   (`Hello <text>`, `Got <names>`, `Picked <name>`), or `No answer` on `null`.
 */
export function featureApp(options: FeatureAppOptions = {}) {
  const askTimeout = options.askTimeout ?? 60_000;
  let held = gate();
  const app = echoApp({
    ...(options.ui === undefined ? {} : { ui: options.ui }),
    ...(options.password === undefined ? {} : { password: options.password, displayName: (username: string) => username }),
    async onMessage(message, chat) {
      const [command, ...rest] = message.content.split(" ");
      const argument = rest.join(" ");
      switch (command) {
        case "/search": {
          const found = await chat.step({ name: "search", type: "retrieval", input: argument }, async (step) => {
            await step.stream("2 documents");
            await chat.step({ name: "rank", input: { top: 2 } }, () => "ranked");
            return ["a", "b"];
          });
          await chat.send(`Found ${found.length} results for ${argument}`);
          return;
        }
        case "/fail":
          await chat
            .step({ name: "lookup" }, async (step) => {
              await step.stream("trying");
              throw new Error("the lookup failed");
            })
            .catch(() => chat.send("recovered"));
          return;
        case "/hold":
          await chat.step({ name: "think", type: "reasoning", input: argument }, async (step) => {
            await step.stream("working…");
            await Promise.race([held.opened, new Promise((resolve) => chat.signal.addEventListener("abort", resolve))]);
          });
          if (!chat.signal.aborted) await chat.send("done");
          return;
        case "/choose":
        case "/choose-once": {
          const reply = chat.reply();
          await reply.stream("Pick a color");
          await reply.actions(
            [
              { name: "pick", label: "Red", payload: { color: "red", secret: "payload-secret" } },
              { name: "pick", label: "Blue", payload: { color: "blue", secret: "payload-secret" } },
            ],
            { once: command === "/choose-once" },
          );
          await reply.end();
          return;
        }
        case "/ask-text": {
          const answer = await chat.ask({ type: "text", content: "What is your name?", timeout: askTimeout });
          await chat.send(answer === null ? "No answer" : `Hello ${answer}`);
          return;
        }
        case "/ask-file": {
          const files = await chat.ask({ type: "file", content: "Send a picture", accept: ["image/*"], timeout: askTimeout });
          await chat.send(files === null ? "No answer" : `Got ${files.map((file) => `${file.name} (${file.mime})`).join(", ")}`);
          return;
        }
        case "/ask-action": {
          const chosen = await chat.ask({
            type: "action",
            content: "Which size?",
            actions: [
              { name: "small", label: "Small", payload: { size: "S" } },
              { name: "large", label: "Large", payload: { size: "L" } },
            ],
            timeout: askTimeout,
          });
          await chat.send(chosen === null ? "No answer" : `Picked ${chosen.name} (${JSON.stringify(chosen.payload)})`);
          return;
        }
        default:
          await chat.send(message.content);
      }
    },
    async onAction(action, chat) {
      const payload = action.payload as { color: string };
      await chat.send(`You chose ${payload.color}`);
    },
  });
  return Object.freeze({
    ...app,
    /** Lets the step of a `/hold` finish. */
    release() {
      held.open();
      held = gate();
    },
  });
}
