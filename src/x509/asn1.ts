/**
 * The ASN.1 library (@peculiar/asn1-schema, @peculiar/asn1-x509), loaded on
 * first use: a capture without certificates, and every command's start-up,
 * do not pay for it (about 35 ms through ESM's CommonJS wrapper). The
 * packages are CommonJS, so require() loads them synchronously where the
 * x509 stage needs them.
 */
import { createRequire } from 'node:module';
import type * as Schema from '@peculiar/asn1-schema';
import type * as X509 from '@peculiar/asn1-x509';

const load = createRequire(import.meta.url);

let lib: { AsnConvert: typeof Schema.AsnConvert; x509: typeof X509 } | undefined;

export function asn1(): { AsnConvert: typeof Schema.AsnConvert; x509: typeof X509 } {
  if (lib === undefined) {
    const schema = load('@peculiar/asn1-schema') as typeof Schema;
    lib = { AsnConvert: schema.AsnConvert, x509: load('@peculiar/asn1-x509') as typeof X509 };
  }
  return lib;
}
