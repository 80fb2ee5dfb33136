#!/usr/bin/env bash
# Generates the certificates used by the failure-scenario fixtures
# (tools/fixtures/scenarios/) into fixtures/certs/scenarios/.
#
# All validity windows are chosen relative to the FIXED fixture capture date
# 2026-11-20T10:00:00Z (the virtual clock of the scenario recorder), not to
# the date this script runs. openssl 3.0 `x509 -req` has no -not_before /
# -not_after (3.4+), so every certificate is issued with `openssl ca`
# (-startdate/-enddate accept arbitrary dates) from a minimal config.
#
# Keys are regenerated on each run (RSA is random); the fixtures pin the
# output, so only rerun when the scenario certificates must change, then
# regenerate fixtures/diagnose.pcapng.
#
# Files (PEM, *.key unencrypted PKCS#8):
#   root.{key,crt}         "tlsscope Scenario Root CA"   private root (untrusted: not in Mozilla roots)
#   inter.{key,crt}        "tlsscope Scenario Intermediate CA" signed by root
#   other-root.{key,crt}   "Acme Internal Root CA"        a second, unrelated private root
#   good.{key,crt}         api.example.com, 2026-01-01 .. 2027-12-31, by inter (controls, chain-incomplete)
#   expired.*              api.example.com, 2025-10-01 .. 2026-10-01 (expired 50 days before capture)
#   notyet-skew.*          api.example.com, 2026-11-21 .. 2027-11-21 (starts 1 day after capture: clock skew)
#   notyet-far.*           api.example.com, 2027-06-01 .. 2028-06-01 (not yet valid, far)
#   expiring.*             api.example.com, 2025-12-01 .. 2026-11-30 (expires 10 days after capture)
#   wronghost.*            other.example.net (CN + SAN) by inter
#   weakkey.*              api.example.com, RSA 1024
#   sha1.*                 api.example.com, signed sha1WithRSAEncryption by inter
#   selfsigned.*           api.example.com, self-signed leaf (CA:FALSE)
#   untrusted.*            api.example.com, signed directly by other-root
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=fixtures/certs/scenarios
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = scen
[ scen ]
dir = $WORK
database = $WORK/index.txt
new_certs_dir = $WORK/new
serial = $WORK/serial
default_md = sha256
policy = pol_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ pol_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_api ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:api.example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:api.example.com
subjectKeyIdentifier = hash
[ v3_other ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example.net
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
mkdir -p "$WORK/new"
: > "$WORK/index.txt"
echo 1000 > "$WORK/serial"

key() { # name bits
  openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$OUT/$1.key"
}
# issue NAME SUBJ START END EXT SIGNER(crt-base or "self") [MD]
issue() {
  local name=$1 subj=$2 start=$3 end=$4 ext=$5 signer=$6 md=${7:-sha256}
  openssl req -new -key "$OUT/$name.key" -subj "$subj" -out "$WORK/$name.csr" -config "$WORK/ca.cnf"
  if [ "$signer" = self ]; then
    openssl ca -batch -notext -config "$WORK/ca.cnf" -selfsign -keyfile "$OUT/$name.key" \
      -startdate "$start" -enddate "$end" -extensions "$ext" -md "$md" \
      -in "$WORK/$name.csr" -out "$OUT/$name.crt" 2>/dev/null
  else
    openssl ca -batch -notext -config "$WORK/ca.cnf" -cert "$OUT/$signer.crt" -keyfile "$OUT/$signer.key" \
      -startdate "$start" -enddate "$end" -extensions "$ext" -md "$md" \
      -in "$WORK/$name.csr" -out "$OUT/$name.crt" 2>/dev/null
  fi
}

key root 2048;       issue root "/O=tlsscope/CN=tlsscope Scenario Root CA" 20250101000000Z 20350101000000Z v3_root self
key inter 2048;      issue inter "/O=tlsscope/CN=tlsscope Scenario Intermediate CA" 20250101000000Z 20320101000000Z v3_inter root
key other-root 2048; issue other-root "/O=Acme Corp/CN=Acme Internal Root CA" 20250101000000Z 20350101000000Z v3_root self

key good 2048;        issue good        "/CN=api.example.com"   20260101000000Z 20271231235959Z v3_api inter
key expired 2048;     issue expired     "/CN=api.example.com"   20251001000000Z 20261001000000Z v3_api inter
key notyet-skew 2048; issue notyet-skew "/CN=api.example.com"   20261121000000Z 20271121000000Z v3_api inter
key notyet-far 2048;  issue notyet-far  "/CN=api.example.com"   20270601000000Z 20280601000000Z v3_api inter
key expiring 2048;    issue expiring    "/CN=api.example.com"   20251201000000Z 20261130100000Z v3_api inter
key wronghost 2048;   issue wronghost   "/CN=other.example.net" 20260101000000Z 20271231235959Z v3_other inter
key weakkey 1024;     issue weakkey     "/CN=api.example.com"   20260101000000Z 20271231235959Z v3_api inter
key sha1 2048;        issue sha1        "/CN=api.example.com"   20260101000000Z 20271231235959Z v3_api inter sha1
key selfsigned 2048;  issue selfsigned  "/CN=api.example.com"   20260101000000Z 20271231235959Z v3_self self
key untrusted 2048;   issue untrusted   "/CN=api.example.com"   20260101000000Z 20271231235959Z v3_api other-root

for f in "$OUT"/*.crt; do
  printf '%-28s %s\n' "$(basename "$f")" "$(openssl x509 -in "$f" -noout -subject -startdate -enddate -nameopt compat | tr '\n' ' ')"
done
