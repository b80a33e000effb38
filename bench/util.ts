/** Small helpers shared by the benchmarks. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0–100) of values sorted ascending; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function fmtInt(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function fmtPct(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** Bytes as MiB with one decimal ("123.4 MB"; MB here means MiB, as `ps` and `top` show it). */
export function fmtMB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function fmtMs(ms: number): string {
  return Number.isNaN(ms) ? "–" : ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU time of this process since `since`, as a share of one core over `wallMs`. */
export function cpuShare(since: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000 / wallMs;
}

/** Left-aligned label columns, right-aligned numbers, two spaces of indent. */
export function table(rows: string[][], labelColumns = 2): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < labelColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join("\n");
}
