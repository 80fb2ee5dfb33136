/**
 * Make a string from the wire safe to print on a terminal or in a log line.
 *
 * Escaped: C0 controls, DEL and C1 controls (so ANSI/OSC escape sequences are
 * inert), bidi controls (U+061C, U+200E/F, U+202A-202E, U+2066-2069),
 * zero-width and other format characters (\p{Cf}), line/paragraph separators,
 * non-ASCII spaces, private-use, unassigned and lone surrogate code points, and
 * the backslash itself (so the output is unambiguous). Code points <= 0xff are
 * written \xNN, others \u{N}. Everything else, including printable non-ASCII
 * text (accents, CJK, emoji), is kept.
 */
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu;

function escapeCodePoint(ch: string): string {
  if (ch === '\\') return '\\\\';
  if (ch === ' ') return ' ';
  const cp = ch.codePointAt(0) as number;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

const UNSAFE_NO_BACKSLASH = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu;

export function safeText(s: string): string {
  return s.replace(UNSAFE, escapeCodePoint);
}

/**
 * Like safeText but leaves backslashes alone: for text that is already
 * escaped (finding messages) and must not be escaped twice. Idempotent.
 */
export function safeMessage(s: string): string {
  return s.replace(UNSAFE_NO_BACKSLASH, escapeCodePoint);
}

/** safeText, then cut to `max` code points with an ellipsis. */
export function safeTextShort(s: string, max = 80): string {
  const cps = Array.from(s);
  return cps.length > max ? `${safeText(cps.slice(0, max).join(''))}…` : safeText(s);
}
