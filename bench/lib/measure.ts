/**
 * A small in-process timer for CPU-bound benchmarks: warm every variant up, then
 * measure them in rounds, interleaved (each round runs every variant once, in a
 * rotated order), so drift on a noisy machine hits all of them alike. Ratios are
 * computed per round against the baseline measured in that same round.
 */

export interface Variant {
  /** Short key, used in results files. */
  name: string;
  /** What the row is, for people. */
  label: string;
  /** One operation. Return something derived from the work (e.g. the output) so it cannot be optimised away. */
  run: () => string;
}

export interface MeasureOptions {
  /** Time each variant runs before measuring. */
  warmupMs: number;
  rounds: number;
  /** Time each variant runs in one round. */
  roundMs: number;
  /** Called after each round, e.g. to print progress. */
  onRound?: (round: number, opsPerSec: Record<string, number>) => void;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export interface VariantResult {
  name: string;
  label: string;
  /** Operations per second, one value per round. */
  rounds: number[];
  opsPerSec: Summary;
  /** Microseconds per operation at the median. */
  microsPerOp: number;
}

type Gc = () => void;
const gc = (globalThis as { gc?: Gc }).gc;

/** Whether the process was started with `--expose-gc`: then each slice starts from a collected heap. */
export const gcBetweenSlices = typeof gc === 'function';

let sink = 0;

/** Runs `fn` for about `ms` milliseconds; answers operations per second. */
function slice(fn: () => string, ms: number): number {
  gc?.();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now: bigint;
  let ops = 0;
  do {
    sink = (sink + fn().length) | 0;
    ops++;
    now = process.hrtime.bigint();
  } while (now < deadline);
  return ops / (Number(now - start) / 1e9);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function measure(variants: readonly Variant[], options: MeasureOptions): VariantResult[] {
  for (const variant of variants) slice(variant.run, options.warmupMs);
  const perRound: number[][] = variants.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    const seen: Record<string, number> = {};
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const opsPerSec = slice(variants[i].run, options.roundMs);
      perRound[i].push(opsPerSec);
      seen[variants[i].name] = opsPerSec;
    }
    options.onRound?.(round + 1, seen);
  }
  if (sink === 0.5) process.stdout.write(''); // keeps `sink` observable
  return variants.map((variant, i) => {
    const opsPerSec = summarize(perRound[i]);
    return { name: variant.name, label: variant.label, rounds: perRound[i], opsPerSec, microsPerOp: 1e6 / opsPerSec.median };
  });
}

/**
 * Cost of `variant` relative to `baseline`: baseline ops/s divided by the
 * variant's, round by round (2 means the variant takes twice as long).
 */
export function costRatios(baseline: VariantResult, variant: VariantResult): Summary {
  return summarize(variant.rounds.map((ops, round) => baseline.rounds[round] / ops));
}
