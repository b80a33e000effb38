import type { Chat, IncomingMessage, RunningAction } from "parlor";

/**
 * The demo's commands for steps, actions and questions (server README: "Steps", "Actions",
 * "Ask the user"). `handleCommand` answers `/search`, `/choose` and `/ask` and says whether it
 * did; `onAction` runs the buttons `/choose` shows.
 */

const COLORS = ["red", "green", "blue"] as const;

/** Answers one of the commands; `false` for any other message. */
export async function handleCommand(message: IncomingMessage, chat: Chat): Promise<boolean> {
  const [command = "", ...rest] = message.content.trim().split(/\s+/);
  const argument = rest.join(" ");
  switch (command) {
    case "/search":
      await search(argument || "parlor", chat);
      return true;
    case "/choose":
      await choose(chat);
      return true;
    case "/ask":
      await ask(chat);
      return true;
    default:
      return false;
  }
}

/** A retrieval step with a tool step inside it, streamed slowly enough to watch, then the answer. */
async function search(query: string, chat: Chat): Promise<void> {
  const found = await chat.step({ name: "search", type: "retrieval", input: query }, async (step) => {
    const titles = [`${query}: an introduction`, `${query} in practice`, `The history of ${query}`];
    for (const title of titles) {
      await step.stream(`${title}\n`);
      await delay(300);
    }
    await chat.step({ name: "rank", type: "tool", input: { results: titles.length } }, async () => {
      await delay(300);
      return `kept the first ${titles.length - 1}`;
    });
    return titles.slice(0, 2);
  });
  await chat.send(`I found these:\n\n${found.map((title) => `- ${title}`).join("\n")}`);
}

/** Buttons under the reply; each may run once. */
async function choose(chat: Chat): Promise<void> {
  const reply = chat.reply();
  await reply.stream("Pick a colour:");
  await reply.actions(
    COLORS.map((color) => ({ name: "colour", label: color[0]!.toUpperCase() + color.slice(1), payload: { color } })),
    { once: true },
  );
  await reply.end();
}

/** A text question, then a choice, each waiting a minute at most. */
async function ask(chat: Chat): Promise<void> {
  const name = await chat.ask({ type: "text", content: "What should I call you?", timeout: 60_000 });
  if (name === null) return chat.send("No answer: never mind.");
  const size = await chat.ask({
    type: "action",
    content: `Nice to meet you, ${name}. Coffee size?`,
    actions: [
      { name: "size", label: "Small" },
      { name: "size", label: "Large" },
    ],
    timeout: 60_000,
  });
  await chat.send(size === null ? `No coffee for you, ${name}.` : `One ${size.label.toLowerCase()} coffee for ${name}, coming up.`);
}

/** A click on one of `/choose`'s buttons. */
export async function onAction(action: RunningAction, chat: Chat): Promise<void> {
  const { color } = action.payload as { color: string };
  await chat.send(`You chose **${color}**.`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
