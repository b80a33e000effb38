import type { MessageStep, StepsDisplay } from "@parlor/react";

/** UI strings of this component (13c's catalog takes them over). */
const strings = {
  used: (name: string) => `Used ${name}`,
  using: (name: string) => `Using ${name}…`,
  failed: (name: string) => `${name} failed`,
  stopped: (name: string) => `${name} stopped`,
  input: "Input",
  output: "Output",
  steps: "Steps",
};

function summary(step: MessageStep): string {
  switch (step.status) {
    case "running":
      return strings.using(step.name);
    case "error":
      return strings.failed(step.name);
    case "stopped":
    case "interrupted":
      return strings.stopped(step.name);
    default:
      return strings.used(step.name);
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
  if (display === "hidden" || steps.length === 0) return null;
  return (
    <div className="steps" role="group" aria-label={strings.steps}>
      <StepTree steps={steps} parentId={null} display={display} />
    </div>
  );
}

function StepTree({ steps, parentId, display }: { steps: readonly MessageStep[]; parentId: string | null; display: StepsDisplay }) {
  const children = steps.filter((step) => step.parentId === parentId);
  if (children.length === 0) return null;
  return (
    <ul className="step-list">
      {children.map((step) => (
        <li key={step.id} className={`step step-${step.status}`}>
          <details open={display === "expanded" ? true : undefined}>
            <summary>
              {step.status === "running" ? <span className="spinner step-spinner" aria-hidden="true" /> : null}
              {summary(step)}
            </summary>
            <div className="step-body">
              {step.input !== "" ? (
                <>
                  <p className="step-label">{strings.input}</p>
                  <pre className="step-text">{step.input}</pre>
                </>
              ) : null}
              {step.output !== "" ? (
                <>
                  <p className="step-label">{strings.output}</p>
                  <pre className="step-text">{step.output}</pre>
                </>
              ) : null}
              <StepTree steps={steps} parentId={step.id} display={display} />
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
