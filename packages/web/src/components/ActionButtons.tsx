import type { MessageAction } from "@parlor/react";
import { useI18n } from "../i18n";

export interface ActionButtonsProps {
  actions: readonly MessageAction[];
  /** Runs the action (`action:run`). */
  onRun(actionId: string): void;
  /** No action can run now (a reply is being written, or the question is closed). */
  disabled: boolean;
}

/** The buttons the app put under a message; a used one stays, disabled. */
export function ActionButtons({ actions, onRun, disabled }: ActionButtonsProps) {
  const { t } = useI18n();
  if (actions.length === 0) return null;
  return (
    <div className="action-buttons" role="group" aria-label={t("actions.label")}>
      {actions.map((action) => (
        <button
          key={action.id}
          type="button"
          className="button button-secondary button-small"
          disabled={disabled || action.used === true}
          onClick={() => onRun(action.id)}
        >
          {action.label}
          {action.used === true ? <span className="visually-hidden"> {t("actions.used")}</span> : null}
        </button>
      ))}
    </div>
  );
}
