/**
 * Reading CA files for --ca: a PEM bundle (any number of CERTIFICATE blocks,
 * other blocks and text around them ignored) or a single DER certificate.
 * Never throws on junk: returns what it found (possibly nothing).
 */

const PEM_RE = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;

/** The DER bytes of every CERTIFICATE block in a PEM text. */
export function pemToDers(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (typeof text !== 'string') return out;
  for (const m of text.matchAll(PEM_RE)) {
    const body = (m[1] ?? '').replace(/[^A-Za-z0-9+/=]/g, '');
    if (body.length === 0) continue;
    const der = Buffer.from(body, 'base64');
    if (der.length > 0 && der[0] === 0x30) out.push(new Uint8Array(der));
  }
  return out;
}

/**
 * `text` is the file content. For a DER file read it as 'latin1' (binary) so
 * every byte survives: `readCaBundle(fs.readFileSync(path, 'latin1'))`;
 * or pass the bytes to readCaBundleBytes.
 */
export function readCaBundle(text: string): Uint8Array[] {
  try {
    if (typeof text !== 'string') return [];
    const pems = pemToDers(text);
    if (pems.length > 0) return pems;
    return derFromBinary(Buffer.from(text, 'latin1'));
  } catch {
    return [];
  }
}

/** Same as readCaBundle for raw file bytes (PEM or DER). */
export function readCaBundleBytes(bytes: Uint8Array): Uint8Array[] {
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.includes('-----BEGIN')) return pemToDers(buf.toString('latin1'));
    return derFromBinary(buf);
  } catch {
    return [];
  }
}

/** One or more concatenated DER certificates (SEQUENCE with a definite length). */
function derFromBinary(buf: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 4 <= buf.length && buf[p] === 0x30) {
    const l0 = buf[p + 1]!;
    let len: number;
    let hdr: number;
    if (l0 < 0x80) {
      len = l0;
      hdr = 2;
    } else {
      const n = l0 & 0x7f;
      if (n === 0 || n > 4 || p + 2 + n > buf.length) break;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[p + 2 + i]!;
      hdr = 2 + n;
    }
    const end = p + hdr + len;
    if (end > buf.length) break;
    out.push(new Uint8Array(buf.subarray(p, end)));
    p = end;
  }
  return out;
}
