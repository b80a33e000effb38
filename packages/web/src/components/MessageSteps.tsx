import type { MessageStep, StepsDisplay } from "@parlor/react";
import { useI18n, type Translate } from "../i18n";

/** A step's one line: "Used search", "Using search…", "search failed", "search stopped". */
function summary(step: MessageStep, t: Translate): string {
  const name = { name: step.name };
  switch (step.status) {
    case "running":
      return t("steps.using", name);
    case "error":
      return t("steps.failed", name);
    case "stopped":
    case "interrupted":
      return t("steps.stopped", name);
    default:
      return t("steps.used", name);
  }
}

export interface MessageStepsProps {
  steps: readonly MessageStep[];
  /** `collapsed`: one line per step ("Used search") that opens; `expanded`: open; `hidden`: nothing. */
  display: StepsDisplay;
}

/**
 * The steps the app ran while writing a reply (tool calls, retrieval, reasoning), nested as
 * they ran, each a native disclosure (`<details>`): keyboard and screen-reader friendly, and it
 * stays open or closed across the live updates of its output.
 */
export function MessageSteps({ steps, display }: MessageStepsProps) {
  const { t } = useI18n();
  if (display === "hidden" || steps.length === 0) return null;
  return (
    <div className="steps" role="group" aria-label={t("steps.label")}>
      <StepTree t={t} steps={steps} parentId={null} display={display} />
    </div>
  );
}

function StepTree({ t, steps, parentId, display }: { t: Translate; steps: readonly MessageStep[]; parentId: string | null; display: StepsDisplay }) {
  const children = steps.filter((step) => step.parentId === parentId);
  if (children.length === 0) return null;
  return (
    <ul className="step-list">
      {children.map((step) => (
        <li key={step.id} className={`step step-${step.status}`}>
          <details open={display === "expanded" ? true : undefined}>
            <summary>
              {step.status === "running" ? <span className="spinner step-spinner" aria-hidden="true" /> : null}
              {summary(step, t)}
            </summary>
            <div className="step-body">
              {step.input !== "" ? (
                <>
                  <p className="step-label">{t("steps.input")}</p>
                  <pre className="step-text">{step.input}</pre>
                </>
              ) : null}
              {step.output !== "" ? (
                <>
                  <p className="step-label">{t("steps.output")}</p>
                  <pre className="step-text">{step.output}</pre>
                </>
              ) : null}
              <StepTree t={t} steps={steps} parentId={step.id} display={display} />
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
