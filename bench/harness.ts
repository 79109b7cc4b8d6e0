/** What every bench module returns; bench/run.ts prints them and writes BENCHMARKS.md. */
export interface BenchRow {
  metric: string;
  value: string;
  /** The goal, in words, when the issue set one (e.g. "<= 2 s"). */
  goal?: string;
  /** Whether the goal was met (only with `goal`). */
  met?: boolean;
}

export interface BenchSection {
  title: string;
  /** How the figures were obtained, briefly. */
  method: string;
  rows: BenchRow[];
  /** What a reader needs to weigh the figures (e.g. why a goal is missed). */
  notes?: string[];
  /** Further figures as a table of their own (e.g. a curve), printed after the rows. */
  table?: { caption: string; header: string[]; rows: string[][] };
}

/** A bench module: `export const bench: Bench`. */
export type Bench = () => Promise<BenchSection>;

/** Percentile (0..100) of a sample, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error("percentile of an empty sample");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
