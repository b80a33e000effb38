import { cancel, isCancel, select, text } from "@clack/prompts";
import { TEMPLATES, type TemplateName } from "./templates.js";

/** What the user is asked when a flag did not say it (in a terminal, without --yes). */
export interface Answers {
  folder: string;
  template: TemplateName;
}

export const DEFAULT_FOLDER = "my-parlor-app";

/** Asks for what `known` leaves out; `null` when the user cancels (Ctrl-C, Esc). */
export async function ask(known: Partial<Answers>): Promise<Answers | null> {
  const folder =
    known.folder ??
    (await text({
      message: "Where should the project go?",
      placeholder: DEFAULT_FOLDER,
      defaultValue: DEFAULT_FOLDER,
    }));
  if (isCancel(folder)) return cancelled();
  const template =
    known.template ??
    (await select<TemplateName>({
      message: "Which template?",
      options: TEMPLATES.map(({ name, hint }) => ({ value: name, label: name, hint })),
    }));
  if (isCancel(template)) return cancelled();
  return { folder, template };
}

function cancelled(): null {
  cancel("Nothing was created.");
  return null;
}
