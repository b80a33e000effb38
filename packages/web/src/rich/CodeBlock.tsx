import type { ReactNode } from "react";
import { CheckIcon, CopyIcon, ExpandIcon } from "../components/icons";
import { useI18n } from "../i18n";
import { useSidePanel } from "./side-panel";
import "../styles/code.css";
import { useCopy } from "./use-copy";

/** A code block longer than this many lines offers "Open in panel". */
const LONG_CODE_LINES = 15;

export interface CodeBlockProps {
  /** From the fence's info string (```ts), or `null`. */
  language: string | null;
  /** The code as plain text: what "Copy code" copies. */
  text: string;
  /** The code as rendered: highlighted spans once the highlighter has loaded. */
  children: ReactNode;
}

/** A fenced code block: its language, a copy button, and for a long one "Open in panel". */
export function CodeBlock({ language, text, children }: CodeBlockProps) {
  const { t } = useI18n();
  const { copied, copy } = useCopy();
  const panel = useSidePanel();
  const label = language ?? t("code.plain");
  const long = text.split("\n").length > LONG_CODE_LINES;
  const code = (
    <pre className="code-block-pre">
      <code className={language ? `language-${language}` : undefined}>{children}</code>
    </pre>
  );
  return (
    <figure className="code-block" data-language={language ?? undefined}>
      <figcaption className="code-block-bar">
        <span className="code-block-language">{label}</span>
        <span className="code-block-actions">
          {long && panel ? (
            <button
              type="button"
              className="icon-button icon-button-small"
              aria-label={t("code.open")}
              title={t("code.open")}
              onClick={() => panel.open({ title: label, body: code })}
            >
              <ExpandIcon />
            </button>
          ) : null}
          <button
            type="button"
            className="icon-button icon-button-small"
            aria-label={copied ? t("code.copied") : t("code.copy")}
            title={t("code.copy")}
            onClick={() => void copy(text)}
          >
            {copied ? <CheckIcon /> : <CopyIcon />}
          </button>
        </span>
      </figcaption>
      {code}
    </figure>
  );
}
