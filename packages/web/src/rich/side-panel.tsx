import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { CloseIcon } from "../components/icons";
import { useI18n } from "../i18n";
import "../styles/side-panel.css";

/** What the side panel shows: a title and the element itself (a long code block, a PDF). */
export interface PanelContent {
  title: string;
  body: ReactNode;
}

interface SidePanelApi {
  open(content: PanelContent): void;
}

const SidePanelContext = createContext<SidePanelApi | null>(null);

/**
 * Opens large elements next to the conversation. `null` outside a `SidePanelHost` (then the
 * elements offer no "Open in panel").
 */
export function useSidePanel(): SidePanelApi | null {
  return useContext(SidePanelContext);
}

/**
 * Holds the side panel of a chat: children can open an element in it; Escape or "Close panel"
 * closes it, and focus goes back where it was.
 */
export function SidePanelHost({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [content, setContent] = useState<PanelContent | null>(null);
  const panelRef = useRef<HTMLElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  const open = useCallback((next: PanelContent) => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setContent(next);
  }, []);
  const close = useCallback(() => {
    setContent(null);
    returnFocus.current?.focus();
  }, []);
  const api = useMemo(() => ({ open }), [open]);

  useEffect(() => {
    if (content === null) return;
    panelRef.current?.focus();
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) close();
    };
    document.addEventListener("keydown", closeOnEscape);
    return () => document.removeEventListener("keydown", closeOnEscape);
  }, [content, close]);

  return (
    <SidePanelContext.Provider value={api}>
      {children}
      {content !== null ? (
        <aside ref={panelRef} className="side-panel" aria-label={t("panel.label")} tabIndex={-1}>
          <header className="side-panel-head">
            <h2 className="side-panel-title" title={content.title}>
              {content.title}
            </h2>
            <button type="button" className="icon-button" aria-label={t("panel.close")} onClick={close}>
              <CloseIcon />
            </button>
          </header>
          <div className="side-panel-body">{content.body}</div>
        </aside>
      ) : null}
    </SidePanelContext.Provider>
  );
}
