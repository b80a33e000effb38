/** The project templates, in the order the question lists them; each is a folder under templates/. */
export const TEMPLATES = [
  { name: "echo", hint: "the smallest app: echoes your messages back, word by word" },
  { name: "openai", hint: "an assistant on any OpenAI-compatible endpoint, streaming" },
  { name: "custom-frontend", hint: "your own Vite + React frontend with @parlor/react, served by the app" },
] as const;

export type TemplateName = (typeof TEMPLATES)[number]["name"];

export function isTemplateName(name: string): name is TemplateName {
  return TEMPLATES.some((template) => template.name === name);
}

/** `echo, openai or custom-frontend`, for messages. */
export const TEMPLATE_NAMES = TEMPLATES.map((template) => template.name)
  .join(", ")
  .replace(/, ([^,]+)$/, " or $1");
