import type { Compilable, Kysely, QueryResult } from "kysely";

const SLOT = Symbol("compiled-query slot");

interface Slot {
  readonly [SLOT]: string;
}

/** Stands in for the value named `name` while the query is built (see `compiledQuery`). */
export type SlotFor<Values> = <K extends keyof Values & string>(name: K) => Values[K];

/**
 * A query that Kysely builds and compiles once, run with new values on every call.
 *
 * Kysely builds an operation tree and compiles it to SQL on every `execute()`: on the chat
 * path, whose few statements run for every message, that was a measurable share of the
 * server's CPU (bench/README.md, "Chat latency"). Here `build` is called once with `slot`,
 * whose placeholders land in the compiled query's parameters; each call swaps them for the
 * call's values and runs the same SQL (`Kysely#executeQuery`). A name may be used more than
 * once. Only for queries whose shape never depends on the values (no `in` lists, no optional
 * clauses): compiling checks that every placeholder became a parameter, so a misuse fails
 * when the store is created, not on some later call.
 */
export function compiledQuery<Values extends Record<string, unknown>, Row>(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any schema: the query built decides the row type
  build: (slot: SlotFor<Values>) => Compilable<Row>,
): (values: Values) => Promise<QueryResult<Row>> {
  const { compiled, names } = compileWithSlots(build as (slot: (name: string) => unknown) => Compilable<Row>);
  return (values) => {
    const parameters = compiled.parameters.map((parameter, i) => {
      const name = names[i];
      return name === null || name === undefined ? parameter : values[name];
    });
    return db.executeQuery<Row>({ ...compiled, parameters });
  };
}

/**
 * `compiledQuery` for a statement over `count` rows, a multi-row INSERT: `build` gets `count`
 * rows whose `columns` are slots, and each call takes the rows themselves. Their values go
 * straight into the parameters, with no object of named values in between (a group on the
 * chat path has up to 256 rows of 8 columns).
 */
export function compiledRowsQuery<Row, Column extends keyof Row & string>(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any -- any schema: the query built decides the row type
  count: number,
  columns: readonly Column[],
  build: (rows: Record<Column, unknown>[]) => Compilable<unknown>,
): (rows: readonly Row[]) => Promise<QueryResult<never>> {
  const { compiled, names } = compileWithSlots((slot) =>
    build(Array.from({ length: count }, (_, i) => Object.fromEntries(columns.map((column) => [column, slot(`${i}.${column}`)])) as Record<Column, unknown>)),
  );
  // For each parameter: the row and column it is read from (-1: a constant of the query).
  const rowOf = names.map((name) => (name === null ? -1 : Number(name.slice(0, name.indexOf(".")))));
  const columnOf = names.map((name) => (name === null ? columns[0]! : (name.slice(name.indexOf(".") + 1) as Column)));
  return (rows) => {
    if (rows.length !== count) throw new Error(`compiledRowsQuery: compiled for ${count} rows, given ${rows.length}`);
    const parameters = compiled.parameters.map((parameter, i) => (rowOf[i] === -1 ? parameter : rows[rowOf[i]!]![columnOf[i]!]));
    return db.executeQuery<never>({ ...compiled, parameters });
  };
}

/**
 * Builds and compiles the query once, with placeholders for the values; `names[i]` is the slot
 * that parameter `i` stands for (`null`: a constant of the query). Fails unless every
 * placeholder became a parameter.
 */
function compileWithSlots<Row>(build: (slot: (name: string) => unknown) => Compilable<Row>) {
  const used: string[] = [];
  const slot = (name: string) => {
    used.push(name);
    return { [SLOT]: name } satisfies Slot;
  };
  const compiled = build(slot).compile();
  const names = compiled.parameters.map((parameter) => (isSlot(parameter) ? parameter[SLOT] : null));
  const placed = names.filter((name) => name !== null);
  if (placed.length !== used.length) {
    throw new Error(`compiledQuery: every value must become a parameter of ${compiled.sql}`);
  }
  return { compiled, names };
}

function isSlot(value: unknown): value is Slot {
  return typeof value === "object" && value !== null && SLOT in value;
}
