/**
 * Upper tail of a Poisson distribution, P(X ≥ k) for mean μ, summed term by term from k upward
 * (not 1 − CDF, which loses every digit once the tail is far below 1e-16). Terms are computed in
 * log space for the first one and by ratio after it.
 */

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  let term = Math.exp(-mean + k * Math.log(mean) - logFactorial(k));
  let sum = 0;
  for (let i = k; i < k + 10_000; i++) {
    sum += term;
    term *= mean / (i + 1);
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}
