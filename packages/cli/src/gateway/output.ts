/** Terminal output: aligned tables, number formatting, and ANSI colours only when on a terminal. */

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export interface Out {
  tty: boolean;
  write(s: string): void;
}

export function paint(out: Out, colour: Colour | undefined, text: string): string {
  return out.tty && colour ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI codes paint() adds
const ANSI_RE = /\x1b\[[0-9;]*m/g;
const visibleLength = (s: string) => s.replace(ANSI_RE, "").length;

export function fmtNumber(n: unknown, digits?: number): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return "–";
  if (digits !== undefined) return n.toFixed(digits);
  const abs = Math.abs(n);
  return n.toLocaleString("en-US", {
    maximumFractionDigits: abs >= 100 ? 2 : abs >= 1 ? 4 : 8,
    useGrouping: false,
  });
}

export function fmtAge(ms: unknown): string {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

export function fmtTime(ts: unknown): string {
  const d = typeof ts === "number" || typeof ts === "string" ? new Date(ts) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().replace("T", " ").slice(0, 19) : "–";
}

/** Rows of cells → lines with columns padded to the widest cell (numbers right-aligned). */
export function table(header: string[], rows: string[][], out: Out): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[], numeric: boolean[]) =>
    cells
      .map((c, i) => {
        const pad = " ".repeat(Math.max(0, widths[i]! - visibleLength(c)));
        return numeric[i] ? pad + c : c + pad;
      })
      .join("  ")
      .trimEnd();
  const numeric = header.map((_, i) =>
    rows.some((r) => /^[-+]?[\d.]+%?$/.test((r[i] ?? "").replace(ANSI_RE, ""))),
  );
  return [paint(out, "bold", line(header, numeric)), ...rows.map((r) => line(r, numeric))];
}

/** A scalar for a generic table cell; objects are shown compactly. */
export function cellOf(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return fmtNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "yes" : "no";
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** Any list of records as a table, with the columns the records have (first seen first). */
export function recordsTable(records: Record<string, unknown>[], out: Out, columns?: string[]): string[] {
  const cols = columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  return table(
    cols,
    records.map((r) => cols.map((c) => cellOf(r[c]))),
    out,
  );
}
