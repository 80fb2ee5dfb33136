import type { CertificateJson } from '../core/model.js';

/** Result of checking a server chain (as sent) at a given time, for a given name. */
export interface ChainCheck {
  /** Each certificate's issuer matches the next one's subject and its signature verifies. */
  ordered: boolean;
  /** Index pairs (i -> i+1) that do not link, with why. */
  linkErrors: { index: number; reason: string }[];
  /** Chains to a trusted root (Node's Mozilla store plus --ca), possibly through a root not sent. */
  trusted: boolean;
  /** Subject of the trust anchor found, when trusted. */
  anchor: string | null;
  /** Leaf is self-signed (subject == issuer and its own key verifies it). */
  selfSigned: boolean;
  /** The chain stops at a certificate whose issuer is neither sent nor a known root (missing intermediate). */
  incomplete: boolean;
  /** Name of the issuer that could not be found, when incomplete. */
  missingIssuer: string | null;
  /** Per certificate validity at the reference time: 'valid' | 'expired' | 'not_yet_valid' */
  validity: ('valid' | 'expired' | 'not_yet_valid' | 'unknown')[];
  /** Seconds past not_after (positive) or before not_before (negative) for the leaf; 0 when valid. */
  leafValidityOffsetSec: number;
  /** Hostname check of the leaf against the SNI (RFC 6125); null when no name was given. */
  hostnameMatches: boolean | null;
  /** Weaknesses: { index, what } e.g. 'rsa_1024', 'sha1_signature', 'md5_signature', 'ec_224' */
  weak: { index: number; what: string }[];
}

export interface ChainCheckOptions {
  /** Server name (SNI) to check the leaf against. */
  serverName: string | null;
  /** Reference time for validity (the capture's time). */
  at: Date;
  /** Extra trust anchors (PEM/DER certificates from --ca). */
  extraCAs?: CertificateJson[] | undefined;
  /** summarizeCertificate of each DER, when the caller has them already. */
  summaries?: CertificateJson[] | undefined;
}
