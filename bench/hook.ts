/**
 * Preloaded (`node --import dist/bench/hook.js ...`) into the CLI for the
 * export phase: counts the lines written to stdout (one NDJSON session per
 * line) and, at exit, writes {lines, maxRssKB} to $BENCH_HOOK_OUT. Peak RSS
 * is getrusage(RUSAGE_SELF).ru_maxrss, as for the other phases.
 */
import { writeFileSync } from 'node:fs';

const outFile = process.env.BENCH_HOOK_OUT;
if (outFile) {
  let lines = 0;
  const orig = process.stdout.write.bind(process.stdout) as (...a: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') {
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
    } else if (chunk instanceof Uint8Array) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    return orig(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.on('exit', () => {
    writeFileSync(outFile, JSON.stringify({ lines, maxRssKB: process.resourceUsage().maxRSS }));
  });
}
