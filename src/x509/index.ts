/** x509 stage: certificate summaries, chain checks, hostname matching, stapled OCSP, CA bundles. */
export { summarizeCertificate, clearCertificateCache } from './summary.js';
export { matchesHostname } from './hostname.js';
export { checkChain, clearChainCache } from './chain.js';
export { summarizeOcsp, type OcspSummary, type OcspStatus } from './ocsp.js';
export { readCaBundle, readCaBundleBytes, pemToDers } from './pem.js';
export type { ChainCheck, ChainCheckOptions } from './types.js';
