#!/usr/bin/env bash
# Regenerates the x509 test certificates in fixtures/certs/ (see fixtures/certs/README.md).
#
# Fixed validity windows (openssl ca -startdate/-enddate) and fixed serial numbers,
# so the facts the tests assert only change with the key material (fingerprints).
# Works with OpenSSL 3.0 (no `x509 -not_before`), hence `openssl ca`.
#
# Usage: tools/certs/make-certs.sh [outdir]   (default: fixtures/certs)
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")/../.." && pwd)/fixtures/certs}"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = tlsscope_ca

[ tlsscope_ca ]
dir              = .
database         = ./index.txt
new_certs_dir    = ./newcerts
serial           = ./serial
default_md       = sha256
policy           = policy_anything
unique_subject   = no
preserve         = yes
email_in_dn      = yes
copy_extensions  = none
default_days     = 365

[ policy_anything ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = optional
emailAddress           = optional

[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = placeholder

[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_inter ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_valid ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:tlsscope.test, DNS:localhost, DNS:www.tlsscope.test, IP:127.0.0.1, IP:::1, email:admin@tlsscope.test, URI:https://tlsscope.test/

[ v3_local ]
basicConstraints       = CA:FALSE
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:tlsscope.test, DNS:localhost, IP:127.0.0.1

[ v3_selfsigned ]
basicConstraints       = CA:FALSE
subjectAltName         = DNS:selfsigned.tlsscope.test, DNS:localhost, IP:127.0.0.1

[ v3_wronghost ]
basicConstraints       = CA:FALSE
subjectAltName         = DNS:other.example

[ v3_wildcard ]
basicConstraints       = CA:FALSE
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:*.tlsscope.test

[ v3_muststaple ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment, keyAgreement
extendedKeyUsage       = serverAuth, clientAuth, OCSPSigning
tlsfeature             = status_request
subjectAltName         = DNS:tlsscope.test, DNS:localhost
authorityInfoAccess    = OCSP;URI:http://ocsp.tlsscope.test/

[ v3_sct ]
basicConstraints       = CA:FALSE
subjectAltName         = DNS:tlsscope.test
# SignedCertificateTimestampList (RFC 6962 3.3) with 2 dummy SCTs of 4 bytes each,
# wrapped in an OCTET STRING: 04 0e | 00 0c | 00 04 de ad be ef | 00 04 ca fe ba be
1.3.6.1.4.1.11129.2.4.2 = DER:04:0e:00:0c:00:04:de:ad:be:ef:00:04:ca:fe:ba:be

[ v3_nocn ]
basicConstraints       = CA:FALSE
subjectAltName         = DNS:nocn.tlsscope.test
EOF

mkdir -p newcerts
: > index.txt

key_rsa() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1" 2>/dev/null; }
key_ec() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -pkeyopt ec_param_enc:named_curve -out "$1"; }
key_raw() { openssl genpkey -algorithm "$2" -out "$1"; }

# sign NAME SUBJECT KEYFILE EXT SERIAL START END ISSUER(root|inter|self) [MD]
sign() {
  local name=$1 subj=$2 key=$3 ext=$4 serial=$5 start=$6 end=$7 issuer=$8 md=${9:-sha256}
  openssl req -new -config ca.cnf -key "$key" -subj "$subj" -multivalue-rdn -out "$name.csr"
  echo "$serial" > serial
  local args=()
  case "$issuer" in
    root)  args=(-cert "$OUT/root-ca.pem" -keyfile "$OUT/root-ca.key.pem") ;;
    inter) args=(-cert "$OUT/intermediate-ca.pem" -keyfile "$OUT/intermediate-ca.key.pem") ;;
    self)  args=(-selfsign -keyfile "$key") ;;
  esac
  local mdargs=(-md "$md")
  # EdDSA / ML-DSA signers take no digest
  if [ "$md" = none ]; then mdargs=(); fi
  openssl ca -batch -config ca.cnf "${args[@]}" "${mdargs[@]}" -notext \
    -extfile ca.cnf -extensions "$ext" -startdate "$start" -enddate "$end" \
    -in "$name.csr" -out "$OUT/$name.pem" 2>ca.log || { cat ca.log; exit 1; }
}

# --- CAs ---------------------------------------------------------------------------------
key_rsa "$OUT/root-ca.key.pem" 2048
sign root-ca "/C=US/O=tlsscope test/CN=tlsscope Test Root CA" "$OUT/root-ca.key.pem" v3_root 01 \
  20200101000000Z 20491231235959Z self
key_rsa "$OUT/intermediate-ca.key.pem" 2048
sign intermediate-ca "/C=US/O=tlsscope test/CN=tlsscope Test Intermediate CA" "$OUT/intermediate-ca.key.pem" v3_inter 02 \
  20200101000000Z 20450101000000Z root

# --- leaves (all issued by the intermediate unless said) -----------------------------------
key_rsa "$OUT/leaf-valid.key.pem" 2048
sign leaf-valid "/C=US/ST=California/L=San Francisco/O=tlsscope test/OU=Leaves/CN=tlsscope.test" \
  "$OUT/leaf-valid.key.pem" v3_valid 1001 20240101000000Z 20340101000000Z inter

key_rsa "$OUT/leaf-expired.key.pem" 2048
sign leaf-expired "/O=tlsscope test/CN=expired.tlsscope.test" "$OUT/leaf-expired.key.pem" v3_local 1002 \
  20200101000000Z 20210101000000Z inter

key_rsa "$OUT/leaf-notyet.key.pem" 2048
sign leaf-notyet "/O=tlsscope test/CN=notyet.tlsscope.test" "$OUT/leaf-notyet.key.pem" v3_local 1003 \
  20400101000000Z 20410101000000Z inter

key_ec "$OUT/leaf-selfsigned.key.pem" P-256
sign leaf-selfsigned "/O=tlsscope test/CN=selfsigned.tlsscope.test" "$OUT/leaf-selfsigned.key.pem" v3_selfsigned 1004 \
  20240101000000Z 20340101000000Z self

key_rsa "$OUT/leaf-wronghost.key.pem" 2048
sign leaf-wronghost "/O=tlsscope test/CN=other.example" "$OUT/leaf-wronghost.key.pem" v3_wronghost 1005 \
  20240101000000Z 20340101000000Z inter

key_rsa "$OUT/leaf-wildcard.key.pem" 2048
sign leaf-wildcard "/O=tlsscope test/CN=*.tlsscope.test" "$OUT/leaf-wildcard.key.pem" v3_wildcard 1006 \
  20240101000000Z 20340101000000Z inter

key_rsa "$OUT/leaf-rsa1024.key.pem" 1024
sign leaf-rsa1024 "/O=tlsscope test/CN=weak.tlsscope.test" "$OUT/leaf-rsa1024.key.pem" v3_local 1007 \
  20240101000000Z 20340101000000Z inter

key_rsa "$OUT/leaf-sha1.key.pem" 2048
sign leaf-sha1 "/O=tlsscope test/CN=sha1.tlsscope.test" "$OUT/leaf-sha1.key.pem" v3_local 1008 \
  20240101000000Z 20340101000000Z inter sha1

key_ec "$OUT/leaf-ec256.key.pem" P-256
sign leaf-ec256 "/O=tlsscope test/CN=ec256.tlsscope.test" "$OUT/leaf-ec256.key.pem" v3_local 1009 \
  20240101000000Z 20340101000000Z inter

key_ec "$OUT/leaf-ec384.key.pem" P-384
sign leaf-ec384 "/O=tlsscope test/CN=ec384.tlsscope.test" "$OUT/leaf-ec384.key.pem" v3_local 100A \
  20240101000000Z 20340101000000Z inter sha384

key_raw "$OUT/leaf-ed25519.key.pem" ED25519
sign leaf-ed25519 "/O=tlsscope test/CN=ed25519.tlsscope.test" "$OUT/leaf-ed25519.key.pem" v3_local 100B \
  20240101000000Z 20340101000000Z inter

key_rsa "$OUT/leaf-muststaple.key.pem" 2048
sign leaf-muststaple "/O=tlsscope test/CN=staple.tlsscope.test" "$OUT/leaf-muststaple.key.pem" v3_muststaple 100C \
  20240101000000Z 20340101000000Z inter

# not_after in 2060: GeneralizedTime (RFC 5280 4.1.2.5)
key_rsa "$OUT/leaf-long.key.pem" 2048
sign leaf-long "/O=tlsscope test/CN=long.tlsscope.test" "$OUT/leaf-long.key.pem" v3_local 100D \
  20240101000000Z 20600101000000Z inter

# two CNs in the subject (in DER order: first.tlsscope.test then second.tlsscope.test)
key_ec "$OUT/leaf-multicn.key.pem" P-256
sign leaf-multicn "/O=tlsscope test/CN=first.tlsscope.test/CN=second.tlsscope.test" "$OUT/leaf-multicn.key.pem" v3_local 100E \
  20240101000000Z 20340101000000Z inter

# no CN at all, SAN only
key_ec "$OUT/leaf-nocn.key.pem" P-256
sign leaf-nocn "/O=tlsscope test/OU=No CN" "$OUT/leaf-nocn.key.pem" v3_nocn 100F \
  20240101000000Z 20340101000000Z inter

# embedded SCT list with 2 entries
key_ec "$OUT/leaf-sct.key.pem" P-256
sign leaf-sct "/O=tlsscope test/CN=sct.tlsscope.test" "$OUT/leaf-sct.key.pem" v3_sct 1010 \
  20240101000000Z 20340101000000Z inter

# not_before before 1970 (UTCTime 65 -> 1965), and a multi-valued RDN + special characters for RFC 4514 escaping
key_ec "$OUT/leaf-old.key.pem" P-256
sign leaf-old "/O=tlsscope, \"test\"+OU=Old/CN=old.tlsscope.test" "$OUT/leaf-old.key.pem" v3_local 1011 \
  19650101000000Z 20340101000000Z inter

key_raw "$OUT/leaf-ed448.key.pem" ED448
sign leaf-ed448 "/O=tlsscope test/CN=ed448.tlsscope.test" "$OUT/leaf-ed448.key.pem" v3_local 1012 \
  20240101000000Z 20340101000000Z inter

# self-signed Ed25519 (signature algorithm ED25519)
key_raw "$OUT/selfsigned-ed25519.key.pem" ED25519
sign selfsigned-ed25519 "/CN=ed25519-self.tlsscope.test" "$OUT/selfsigned-ed25519.key.pem" v3_selfsigned 1013 \
  20240101000000Z 20340101000000Z self none

# --- bundles -------------------------------------------------------------------------------
cat "$OUT/leaf-valid.pem" "$OUT/intermediate-ca.pem" > "$OUT/chain-valid.pem"
cat "$OUT/leaf-valid.pem" "$OUT/intermediate-ca.pem" "$OUT/root-ca.pem" > "$OUT/chain-valid-full.pem"

# --- OCSP responses (stapled-style, RFC 6960) signed by the intermediate ---------------------
# index: leaf-valid good (V), leaf-expired revoked (R, keyCompromise), leaf-wronghost not listed -> unknown
printf 'V\t340101000000Z\t\t1001\tunknown\t/CN=tlsscope.test\n' > ocsp-index.txt
printf 'R\t210101000000Z\t230615120000Z,keyCompromise\t1002\tunknown\t/CN=expired.tlsscope.test\n' >> ocsp-index.txt
ocsp_resp() {
  local cert=$1 out=$2
  openssl ocsp -issuer "$OUT/intermediate-ca.pem" -cert "$OUT/$cert.pem" -no_nonce -reqout "$cert.req.der" 2>/dev/null
  openssl ocsp -index ocsp-index.txt -CA "$OUT/intermediate-ca.pem" -rsigner "$OUT/intermediate-ca.pem" \
    -rkey "$OUT/intermediate-ca.key.pem" -reqin "$cert.req.der" -respout "$OUT/$out" -ndays 3650 2>/dev/null
}
ocsp_resp leaf-valid ocsp-good.der
ocsp_resp leaf-expired ocsp-revoked.der
ocsp_resp leaf-wronghost ocsp-unknown.der

ls -1 "$OUT"
