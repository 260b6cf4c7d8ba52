/** True when `p` settles (either way) within `ms`, at once when `ms` is not positive; else false. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  const done = await Promise.race([p.then(() => true as const, () => true as const), late]);
  clearTimeout(timer);
  return done;
}
