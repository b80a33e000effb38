/** A function the model may call: its JSON schema, and the code that runs it. */
export interface OpenAITool<Args = Record<string, unknown>> {
  description?: string;
  /** JSON Schema of the arguments (an object schema), as OpenAI's `tools[].function.parameters`. */
  parameters: Record<string, unknown>;
  /**
   * Runs the call. The value returned (a string, or anything JSON can hold) is what the model
   * reads back and what the step shows as its output; an error thrown is shown as the step's
   * error and given to the model as `Error: <message>`. `signal` aborts on the user's stop.
   */
  execute(args: Args, context: { signal: AbortSignal }): unknown;
}

// `any` in the map's value type so tools with different argument types fit in one object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each tool declares its own argument type
export type OpenAITools = Record<string, OpenAITool<any>>;
