import { Fragment } from "react";

/**
 * A catalog string with keys marked `<Enter>`, shown with each key in a `<kbd>`: translations
 * name and order the keys their own way ("<Maj>+<Entrée>"). Text only, never parsed as HTML.
 */
export function KeyHint({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/(<[^<>]+>)/)
        .map((part, index) => (/^<[^<>]+>$/.test(part) ? <kbd key={index}>{part.slice(1, -1)}</kbd> : <Fragment key={index}>{part}</Fragment>))}
    </>
  );
}
