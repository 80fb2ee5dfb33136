#!/usr/bin/env bash
# Certificates for the openssl lab, issued relative to NOW (the captures are
# judged at capture time), into ${LAB_CERTS:-/tmp/osl/certs}.
# openssl 3.0 `x509 -req` cannot set arbitrary dates, so every certificate is
# issued with `openssl ca -startdate/-enddate`.
#
#   root.*        "osl-lab Root CA" (private root; the client's -CAfile)
#   inter.*       "osl-lab Intermediate CA" (by root)
#   other-root.*  "osl-lab Other Root CA" (a root the client does not trust)
#   good.*        localhost (SAN localhost, 127.0.0.1), by inter, valid -30d .. +365d
#   expired.*     by inter, -400d .. -10d
#   notyet.*      by inter, +30d .. +400d (not yet valid, far)
#   skew.*        by inter, +1h .. +365d (not yet valid by an hour: clock skew)
#   expiring.*    by inter, -300d .. +10d
#   wronghost.*   other.example.net, by inter
#   selfsigned.*  localhost, self-signed (CA:FALSE)
#   untrusted.*   localhost, by other-root
#   weakkey.*     localhost, RSA 1024, by inter
#   sha1.*        localhost, sha1WithRSAEncryption, by inter
#   client.*      client certificate "osl-lab client", by inter
#   chain.pem     inter (what a correctly configured server sends after the leaf)
#   dh1024.pem    1024-bit DH parameters (weak DHE)
set -euo pipefail
OUT=${LAB_CERTS:-/tmp/osl/certs}
mkdir -p "$OUT"
cd "$OUT"
rm -rf db && mkdir -p db/new && : > db/index.txt && echo 1000 > db/serial

cat > ca.cnf <<CNF
[ ca ]
default_ca = lab
[ lab ]
dir = $OUT/db
database = $OUT/db/index.txt
new_certs_dir = $OUT/db/new
serial = $OUT/db/serial
default_md = sha256
policy = pol_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ pol_any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[ v3_wrong ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example.net
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF

d() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1.key" 2>/dev/null; }
csr() { openssl req -new -key "$1.key" -subj "/CN=$2" -config ca.cnf -out "$1.csr"; }
# sign NAME CN ISSUER EXT START END [MD]
sign() {
  local name=$1 cn=$2 issuer=$3 ext=$4 start=$5 end=$6 md=${7:-sha256}
  csr "$name" "$cn"
  local sel=()
  if [ "$issuer" = self ]; then sel=(-selfsign -keyfile "$name.key" -cert /dev/null); else sel=(-keyfile "$issuer.key" -cert "$issuer.crt"); fi
  openssl ca -batch -config ca.cnf "${sel[@]}" -extensions "$ext" -md "$md" \
    -startdate "$(d "$start")" -enddate "$(d "$end")" -in "$name.csr" -out "$name.crt" -notext 2>/dev/null
}

key root; key inter; key other-root
# self-signed roots: openssl ca -selfsign needs -cert to be absent; use req -x509 for roots
openssl req -x509 -new -key root.key -subj "/CN=osl-lab Root CA" -days 3650 -config ca.cnf -extensions v3_ca -out root.crt 2>/dev/null
openssl req -x509 -new -key other-root.key -subj "/CN=osl-lab Other Root CA" -days 3650 -config ca.cnf -extensions v3_ca -out other-root.crt 2>/dev/null
sign inter "osl-lab Intermediate CA" root v3_ca "-1 day" "+3000 days"
cp inter.crt chain.pem

for n in good expired notyet skew expiring wronghost selfsigned untrusted sha1; do key "$n"; done
key weakkey 1024; key client
sign good localhost inter v3_leaf "-30 days" "+365 days"
sign expired localhost inter v3_leaf "-400 days" "-10 days"
sign notyet localhost inter v3_leaf "+30 days" "+400 days"
sign skew localhost inter v3_leaf "+1 hour" "+365 days"
sign expiring localhost inter v3_leaf "-300 days" "+10 days"
sign wronghost other.example.net inter v3_wrong "-30 days" "+365 days"
csr selfsigned localhost
openssl x509 -req -in selfsigned.csr -signkey selfsigned.key -days 365 -extfile ca.cnf -extensions v3_leaf -out selfsigned.crt 2>/dev/null || \
  openssl req -x509 -new -key selfsigned.key -subj /CN=localhost -days 365 -config ca.cnf -extensions v3_leaf -out selfsigned.crt
sign untrusted localhost other-root v3_leaf "-30 days" "+365 days"
sign weakkey localhost inter v3_leaf "-30 days" "+365 days"
sign sha1 localhost inter v3_leaf "-30 days" "+365 days" sha1
sign client "osl-lab client" inter v3_client "-30 days" "+365 days"
cat good.crt chain.pem > good-full.pem
[ -f dh1024.pem ] || openssl dhparam -out dh1024.pem 1024 2>/dev/null
rm -f ./*.csr
echo "certificates in $OUT"
