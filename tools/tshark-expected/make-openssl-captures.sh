#!/usr/bin/env bash
# Extra real OpenSSL 3 handshakes on loopback, captured with dumpcap, for scoring tlsscope
# against tshark (tools/tshark-expected/expected.mjs). Complements tools/openssl-lab/ with
# what it does not cover: TLS 1.0/1.1 with DHE/ECDHE, ECDSA certificates, session resumption
# by id / ticket / TLS 1.3 PSK (and 0-RTT), HelloRetryRequest with ALPN, client certificates,
# OCSP stapling, -no_tls1_3, SNI, a long certificate chain, tiny records, fallback SCSV.
#
# usage: tools/tshark-expected/make-openssl-captures.sh [NAME_REGEX]
#   OUT=/tmp/tx/osl-extra (captures only: OUT/NAME.pcapng); WORK=$OUT.work (logs, certificates)
#   BASE_PORT=25500 (scenario ports BASE_PORT+1 onwards, 127.0.0.1 only)
# Needs capture rights on lo (dumpcap). Every process runs under `timeout`.
set -uo pipefail
OUT=${OUT:-/tmp/tx/osl-extra}
W=${WORK:-$OUT.work}
CD=$W/certs
ONLY=${1:-.}
PORT=${BASE_PORT:-25500}
mkdir -p "$OUT" "$W" "$CD"

# ---- certificates ------------------------------------------------------------------------
make_certs() {
  cd "$CD" || exit 1
  cat > ext.cnf <<'CNF'
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:www.tx.test, IP:127.0.0.1
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:9/
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
  rsa() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1.key" 2>/dev/null; }
  ec() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1.key" 2>/dev/null; }
  # issue NAME CN ISSUER EXT
  issue() {
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -days 365 -sha256 \
      -extfile ext.cnf -extensions "$4" -out "$1.crt" 2>/dev/null
  }
  rsa root; openssl req -x509 -new -key root.key -subj "/CN=tx Root CA" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.crt 2>/dev/null
  rsa inter; issue inter "tx Intermediate CA" root ca
  rsa rsaleaf; issue rsaleaf localhost inter leaf
  ec ecleaf P-256; issue ecleaf "localhost ecdsa p256" inter leaf
  ec ec384 P-384; issue ec384 "localhost ecdsa p384" inter leaf
  rsa client; issue client "tx client" inter client
  cat inter.crt > chain.pem
  # a long chain: root <- l1 <- ... <- l12 (RSA 4096) <- longleaf: a Certificate message of
  # more than 16 KiB, so it spans two TLS records even without a small record size
  local prev=root i; : > longchain.pem
  for i in $(seq 1 12); do rsa "l$i" 4096; issue "l$i" "tx long chain CA level $i" "$prev" ca; prev=l$i; done
  for i in $(seq 12 -1 1); do cat "l$i.crt" >> longchain.pem; done
  rsa longleaf 4096; issue longleaf "localhost long chain" l6 leaf
  # a DER OCSP response for rsaleaf, signed by the intermediate (the issuer)
  printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$(date -u -d '+1 year' +%y%m%d%H%M%SZ)" \
    "$(openssl x509 -in rsaleaf.crt -noout -serial | cut -d= -f2)" > index.txt
  openssl ocsp -index index.txt -rsigner inter.crt -rkey inter.key -CA inter.crt -issuer inter.crt \
    -cert rsaleaf.crt -ndays 7 -respout ocsp.der >/dev/null 2>&1 || echo "  (no OCSP response made)" >&2
  cd - >/dev/null || exit 1
}
[ -f "$CD/longleaf.crt" ] && [ -f "$CD/l12.crt" ] || make_certs

wait_listen() { for _ in $(seq 1 50); do ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; echo "  no listener on $1" >&2; return 1; }

# scenario NAME "SERVER ARGS" "CLIENT SCRIPT"   ($C in the client script is the s_client base command)
scenario() {
  local name=$1 srv=$2 cli=$3
  PORT=$((PORT + 1))
  [[ "$name" =~ $ONLY ]] || return 0
  local p=$PORT cap=$OUT/$name.pcapng
  rm -f "$cap"
  echo "== $name (port $p)"
  timeout 30 dumpcap -q -i lo -f "tcp port $p" -w "$cap" 2>"$W/$name.dumpcap.log" &
  local dpid=$!
  for _ in $(seq 1 50); do grep -q "Capturing on" "$W/$name.dumpcap.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  # the server's stdin stays open (s_server without -www stops at end of input)
  local hold
  exec {hold}< <(exec timeout 25 sleep 25)
  local hpid=$!
  # shellcheck disable=SC2086
  timeout 20 openssl s_server -accept "127.0.0.1:$p" $srv >"$W/$name.server.log" 2>&1 <&$hold &
  local spid=$!
  wait_listen "$p"
  C="openssl s_client -connect 127.0.0.1:$p" timeout 15 bash -c "$cli" >"$W/$name.client.log" 2>&1
  sleep 0.5
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
  exec {hold}<&-; kill "$hpid" 2>/dev/null
  sleep 0.3
  kill -INT "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null
}
# a client command that sends a request and waits for the answer: get ARGS
get() { echo "(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | \$C $*"; }
RSA="-cert $CD/rsaleaf.crt -key $CD/rsaleaf.key -cert_chain $CD/chain.pem"
ECC="-cert $CD/ecleaf.crt -key $CD/ecleaf.key -cert_chain $CD/chain.pem"
E384="-cert $CD/ec384.crt -key $CD/ec384.key -cert_chain $CD/chain.pem"
LONG="-cert $CD/longleaf.crt -key $CD/longleaf.key -cert_chain $CD/longchain.pem"
L0="-cipher DEFAULT:@SECLEVEL=0"
S="$W/sess"
ALPN_MANY=$(printf 'proto-%02d-with-a-rather-long-name,' $(seq 1 40))http/1.1

scenario x_tls10_ecdhe "-naccept 1 -www -tls1 $L0 $RSA" "$(get "-tls1 $L0 -servername localhost")"
scenario x_tls10_dhe "-naccept 1 -www -tls1 -cipher DHE-RSA-AES256-SHA:@SECLEVEL=0 $RSA" "$(get "-tls1 -cipher DHE-RSA-AES256-SHA:@SECLEVEL=0")"
scenario x_tls11_ecdsa "-naccept 1 -www -tls1_1 $L0 $ECC" "$(get "-tls1_1 $L0 -servername localhost")"
scenario x_tls12_dhe_rsa "-naccept 1 -www -tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384 $RSA" "$(get "-tls1_2 -servername localhost")"
scenario x_tls12_ecdsa "-naccept 1 -www -tls1_2 $ECC" "$(get "-tls1_2 -servername localhost -sigalgs ECDSA+SHA256:RSA-PSS+SHA256")"
scenario x_tls13_ecdsa_p384 "-naccept 1 -www $E384" "$(get "-servername localhost -groups P-384:X25519")"
scenario x_tls12_resume_id "-naccept 2 -www -no_ticket $RSA" "$(get "-tls1_2 -servername localhost -no_ticket -sess_out $S.id.pem"); $(get "-tls1_2 -servername localhost -no_ticket -sess_in $S.id.pem")"
scenario x_tls12_resume_ticket "-naccept 2 -www $RSA" "$(get "-tls1_2 -servername localhost -sess_out $S.tk.pem"); $(get "-tls1_2 -servername localhost -sess_in $S.tk.pem")"
scenario x_tls13_resume_psk "-naccept 2 -www $RSA" "$(get "-servername localhost -sess_out $S.psk.pem"); $(get "-servername localhost -sess_in $S.psk.pem")"
scenario x_tls13_early_data "-naccept 2 -early_data $RSA" "$(get "-servername localhost -sess_out $S.ed.pem"); printf 'GET /early HTTP/1.0\r\n\r\n' > $W/early.txt; $(get "-servername localhost -sess_in $S.ed.pem -early_data $W/early.txt")"
scenario x_tls13_hrr_alpn "-naccept 1 -www -groups P-384 -alpn h2,http/1.1 $RSA" "$(get "-servername www.tx.test -alpn h2,http/1.1")"
scenario x_tls12_alpn_sni "-naccept 1 -www -alpn http/1.1 $RSA" "$(get "-tls1_2 -servername www.tx.test -alpn h2,http/1.1")"
scenario x_tls12_clientcert "-naccept 1 -www -Verify 1 -CAfile $CD/root.crt $RSA" "$(get "-tls1_2 -servername localhost -cert $CD/client.crt -key $CD/client.key -cert_chain $CD/chain.pem")"
scenario x_tls13_clientcert "-naccept 1 -www -Verify 1 -CAfile $CD/root.crt $RSA" "$(get "-servername localhost -cert $CD/client.crt -key $CD/client.key -cert_chain $CD/chain.pem")"
scenario x_tls12_ocsp "-naccept 1 -www -status_file $CD/ocsp.der $RSA" "$(get "-tls1_2 -servername localhost -status")"
scenario x_tls13_ocsp "-naccept 1 -www -status_file $CD/ocsp.der $RSA" "$(get "-servername localhost -status")"
scenario x_no_tls1_3 "-naccept 1 -www $ECC" "$(get "-no_tls1_3 -noservername")"
scenario x_tls12_longchain "-naccept 1 -www -tls1_2 $LONG" "$(get "-tls1_2 -servername localhost")"
scenario x_tls12_tinyrec "-naccept 1 -www -tls1_2 -max_send_frag 512 $LONG" "$(get "-tls1_2 -servername localhost -max_send_frag 512 -alpn $ALPN_MANY")"
scenario x_tls13_tinyrec "-naccept 1 -www -max_send_frag 512 -split_send_frag 512 $RSA" "$(get "-servername localhost -max_send_frag 512 -split_send_frag 512 -alpn $ALPN_MANY")"
scenario x_fallback_scsv "-naccept 1 -www $L0 $RSA" "$(get "-tls1_1 $L0 -fallback_scsv -servername localhost")"
scenario x_tls12_x448_chacha "-naccept 1 -www -tls1_2 -groups X448 $RSA" "$(get "-tls1_2 -groups X448:P-521 -cipher ECDHE-RSA-CHACHA20-POLY1305 -servername localhost")"
ls -1 "$OUT"/*.pcapng 2>/dev/null | wc -l | sed 's/$/ captures in '"${OUT//\//\\/}"'/'
