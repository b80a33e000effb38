import type { MessageAction } from "@parlor/react";

export interface ActionButtonsProps {
  actions: readonly MessageAction[];
  /** Runs the action (`action:run`). */
  onRun(actionId: string): void;
  /** No action can run now (a reply is being written, or the question is closed). */
  disabled: boolean;
}

/** UI strings of this component (13c's catalog takes them over). */
const strings = {
  actions: "Actions",
  used: "(used)",
};

/** The buttons the app put under a message; a used one stays, disabled. */
export function ActionButtons({ actions, onRun, disabled }: ActionButtonsProps) {
  if (actions.length === 0) return null;
  return (
    <div className="action-buttons" role="group" aria-label={strings.actions}>
      {actions.map((action) => (
        <button
          key={action.id}
          type="button"
          className="button button-secondary button-small"
          disabled={disabled || action.used === true}
          onClick={() => onRun(action.id)}
        >
          {action.label}
          {action.used === true ? <span className="visually-hidden"> {strings.used}</span> : null}
        </button>
      ))}
    </div>
  );
}
