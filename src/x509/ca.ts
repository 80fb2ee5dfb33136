import { readFileSync } from 'node:fs';
import type { CertificateJson } from '../core/model.js';
import { CaptureError } from '../core/types.js';
import { readCaBundle } from './pem.js';
import { summarizeCertificate } from './summary.js';

/**
 * Reads a `--ca FILE` bundle (PEM certificates or one DER certificate).
 * An unreadable or empty file is a CaptureError (one line, exit 1 in the CLI).
 */
export function loadCaFile(file: string | undefined): CertificateJson[] | undefined {
  if (!file) return undefined;
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    throw new CaptureError(file, 0, `cannot read CA bundle: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const ders = readCaBundle(text.toString('latin1'));
  if (ders.length === 0) throw new CaptureError(file, 0, 'no certificate found in CA bundle (PEM or DER expected)');
  return ders.map((d) => summarizeCertificate(d));
}
