/**
 * The `e` key: the sessions currently shown, written to a JSON file in the
 * same format as `tlsscope export --format json` (an array, one session per
 * line), so a file saved from the UI and one from the CLI are interchangeable.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Session } from '../core/model.js';
import { writeSessionJson } from '../export/json.js';

/** Writes `sessions` to `path`; resolves with the number written, rejects with the file error. */
export async function exportSessions(path: string, sessions: readonly Session[]): Promise<number> {
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  let buf = '';
  const emit = (piece: string): void => {
    buf += piece;
  };
  const drain = async (): Promise<void> => {
    if (!out.write(buf)) await Promise.race([once(out, 'drain'), failed]);
    buf = '';
  };
  for (let i = 0; i < sessions.length; i++) {
    buf += i === 0 ? '[\n' : ',\n';
    writeSessionJson(sessions[i] as Session, emit);
    if (buf.length > 1 << 20) await drain();
  }
  buf += sessions.length === 0 ? '[]\n' : '\n]\n';
  await drain();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return sessions.length;
}
