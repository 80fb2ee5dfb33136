import type { Ts } from './types.js';

/** Milliseconds from `a` to `b` (b - a), as a double; exact to well below a microsecond. */
export function diffMs(a: Ts, b: Ts): number {
  return (b.sec - a.sec) * 1e3 + (b.nsec - a.nsec) / 1e6;
}

let isoSec = NaN;
let isoBase = '';
let lastIsoSec = NaN;
let lastIsoNsec = NaN;
let lastIso = '';
/** ISO 8601 UTC with nanoseconds, e.g. 2026-11-24T20:06:44.123456789Z. */
export function tsToIso(t: Ts): string {
  // steps of one packet share a timestamp: reuse the last string
  if (t.nsec === lastIsoNsec && t.sec === lastIsoSec) return lastIso;
  const s = isoOf(t);
  lastIsoSec = t.sec;
  lastIsoNsec = t.nsec;
  lastIso = s;
  return s;
}

/** '000'..'999'. */
const DIGITS3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function isoOf(t: Ts): string {
  if (t.sec !== isoSec) {
    // consecutive calls mostly fall in the same second: format the date part once
    const d = new Date(t.sec * 1000);
    if (Number.isNaN(d.getTime())) return 'invalid-time';
    isoSec = t.sec;
    isoBase = `${d.toISOString().slice(0, 19)}.`;
  }
  const ns = t.nsec;
  const s = ns >= 0 && ns < 1e9 && Number.isInteger(ns)
    ? isoBase + DIGITS3[Math.floor(ns / 1e6)] + DIGITS3[Math.floor(ns / 1e3) % 1000] + DIGITS3[ns % 1000] + 'Z'
    : `${isoBase}${String(ns).padStart(9, '0')}Z`;
  // a concatenation is a V8 rope of several nodes, and sessions keep one per step: reading a
  // character makes it flat (one piece; the collector then drops the rope nodes)
  s.charCodeAt(0);
  return s;
}

/** Seconds since the epoch as a double (microsecond precision), for JSON. */
export function tsToEpoch(t: Ts): number {
  return t.sec + Math.round(t.nsec / 1000) / 1e6;
}

export function copyTs(t: Ts): Ts {
  return { sec: t.sec, nsec: t.nsec };
}
