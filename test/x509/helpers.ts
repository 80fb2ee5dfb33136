import fs from 'node:fs';
import path from 'node:path';

export const CERTS = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../fixtures/certs');

/** DER of the (first) certificate in fixtures/certs/NAME.pem, or NAME itself when it ends in .der */
export function der(name: string): Uint8Array {
  const file = path.join(CERTS, name.endsWith('.der') ? name : `${name}.pem`);
  const buf = fs.readFileSync(file);
  if (name.endsWith('.der')) return new Uint8Array(buf);
  const m = buf.toString('latin1').match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/);
  if (!m) throw new Error(`no certificate in ${file}`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s/g, ''), 'base64'));
}

export function file(name: string): Buffer {
  return fs.readFileSync(path.join(CERTS, name));
}
