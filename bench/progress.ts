/** Progress lines on stderr (the result table goes to stdout), each with the time since the run started. */

const startedAt = performance.now();

export function progress(message: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${message}\n`);
}

/** Seconds since the run started. */
export function elapsedSec(): number {
  return (performance.now() - startedAt) / 1000;
}
