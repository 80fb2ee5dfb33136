/** Capture reading and writing: see open.ts (readers) and writer.ts (writers). */
export { openCapture, type OpenCaptureOptions } from './open.js';
export { CAPTURE_ANOMALIES } from './anomalies.js';
export * from './types.js';
