/** One line when a setup step starts and one with its duration when it ends. */
export async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  process.stdout.write(`[concord] ${label} ...\n`);
  try {
    const out = await fn();
    process.stdout.write(`[concord] ✓ ${label} (${seconds(started)})\n`);
    return out;
  } catch (err) {
    process.stdout.write(`[concord] ✗ ${label} failed after ${seconds(started)}\n`);
    throw err;
  }
}

export function note(text: string): void {
  process.stdout.write(`[concord]   ${text}\n`);
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}
