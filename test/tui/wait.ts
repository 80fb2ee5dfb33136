/** Waiting on Ink frames in the terminal UI tests. */
export const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `frame()` until `ok` holds (or fails after `ms`, showing the last frame). */
export async function until(frame: () => string | undefined, ok: (f: string) => boolean, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = frame() ?? '';
    if (ok(f)) return f;
    if (Date.now() > end) throw new Error(`timed out; last frame:\n${f}`);
    await tick(10);
  }
}
