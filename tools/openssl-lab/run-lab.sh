#!/usr/bin/env bash
# Runs every openssl scenario on loopback, each captured by dumpcap into
# $OUT/NAME.pcapng, and writes the labels to $OUT/labels.tsv:
#   name  tls  expected_code  expected_established  session(first|last)
# Usage: tools/openssl-lab/run-lab.sh [NAME_REGEX]   (needs root for dumpcap on lo)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/tmp/osl}
CD=${LAB_CERTS:-$OUT/certs}
ONLY=${1:-.}
mkdir -p "$OUT"
[ -f "$CD/root.crt" ] || LAB_CERTS=$CD "$HERE/make-certs.sh" >/dev/null
LABELS=$OUT/labels.tsv
if [ "$ONLY" = . ]; then : > "$LABELS"; else awk -F'\t' -v re="$ONLY" '$1 !~ re' "$LABELS" > "$LABELS.tmp" 2>/dev/null; mv "$LABELS.tmp" "$LABELS"; fi
PORT=${LAB_BASE_PORT:-24400}

V="-verify_return_error -CAfile $CD/root.crt -verify_hostname localhost"
srvcert() { echo "-cert $CD/$1.crt -key $CD/$1.key ${2:+-cert_chain $CD/chain.pem}"; }

wait_listen() { # port
  for _ in $(seq 1 50); do ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done
  echo "  server on $1 did not start" >&2; return 1
}

# scenario NAME TLS CODE ESTABLISHED WHICH SERVER_ARGS|peer:MODE CLIENT_SCRIPT
# CLIENT_SCRIPT is a bash snippet; $C expands to the s_client base command.
scenario() {
  local name=$1 tls=$2 code=$3 est=$4 which=$5 srv=$6 cli=$7
  PORT=$((PORT + 1))
  [[ "$name" =~ $ONLY ]] || return 0
  local p=$PORT cap=$OUT/$name.pcapng
  rm -f "$cap"
  echo "== $name (port $p)"
  dumpcap -q -i lo -f "tcp port $p" -w "$cap" 2>"$OUT/$name.dumpcap.log" &
  local dpid=$!
  for _ in $(seq 1 50); do grep -q "Capturing on" "$OUT/$name.dumpcap.log" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
  local spid
  if [[ "$srv" == peer:* ]]; then
    timeout 15 node "$HERE/peers.mjs" "${srv#peer:}" "$p" >"$OUT/$name.server.log" 2>&1 &
  else
    # shellcheck disable=SC2086
    timeout 15 openssl s_server -accept "127.0.0.1:$p" $srv >"$OUT/$name.server.log" 2>&1 </dev/null &
  fi
  spid=$!
  wait_listen "$p"
  local C="openssl s_client -connect 127.0.0.1:$p -servername localhost"
  C=$C timeout 12 bash -c "$cli" >"$OUT/$name.client.log" 2>&1
  sleep 0.5
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
  sleep 0.3
  kill -INT "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$tls" "$code" "$est" "$which" >> "$LABELS"
}
# a client that sends an HTTP request and waits a little for the answer
GET='(printf "GET / HTTP/1.0\r\n\r\n"; sleep 1) | $C'
get() { echo "(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | \$C $*"; }

for t in 12 13; do
  T="-tls1_${t#1}"; TV="1.${t#1}"
  scenario ok_$t $TV - true first "-naccept 1 -www $(srvcert good chain)" "$(get "$T $V")"
  scenario expired_$t $TV cert_expired false first "-naccept 1 -www $(srvcert expired chain)" "$(get "$T $V")"
  scenario notyet_$t $TV cert_not_yet_valid false first "-naccept 1 -www $(srvcert notyet chain)" "$(get "$T $V")"
  scenario skew_$t $TV clock_skew_suspected false first "-naccept 1 -www $(srvcert skew chain)" "$(get "$T $V")"
  scenario hostname_$t $TV cert_hostname_mismatch false first "-naccept 1 -www $(srvcert wronghost chain)" "$(get "$T $V")"
  scenario selfsigned_$t $TV cert_self_signed false first "-naccept 1 -www $(srvcert selfsigned)" "$(get "$T $V")"
  scenario untrusted_$t $TV cert_untrusted false first "-naccept 1 -www $(srvcert untrusted)" "$(get "$T $V")"
  scenario incomplete_$t $TV cert_chain_incomplete false first "-naccept 1 -www $(srvcert good)" "$(get "$T $V")"
  scenario clientcert_missing_$t $TV client_cert_missing false first "-naccept 1 -www -Verify 1 -CAfile $CD/root.crt $(srvcert good chain)" "$(get "$T $V")"
  scenario alpn_$t $TV alpn_mismatch false first "-naccept 1 -www -alpn h2 $(srvcert good chain)" "$(get "$T $V -alpn http/1.1")"
  scenario resumed_$t $TV resumed true last "-naccept 2 -www $(srvcert good chain)" "$(get "$T $V -sess_out $OUT/sess_$t.pem"); $(get "$T $V -sess_in $OUT/sess_$t.pem")"
  # certificate problems with a client that does not verify: the handshake completes
  scenario expired_noverify_$t $TV cert_expired true first "-naccept 1 -www $(srvcert expired chain)" "$(get "$T")"
  scenario hostname_noverify_$t $TV cert_hostname_mismatch true first "-naccept 1 -www $(srvcert wronghost chain)" "$(get "$T")"
  scenario selfsigned_noverify_$t $TV cert_self_signed true first "-naccept 1 -www $(srvcert selfsigned)" "$(get "$T")"
done
scenario version_srv13_cli12 1.2 protocol_version_mismatch false first "-naccept 1 -www -tls1_3 $(srvcert good chain)" "$(get "-tls1_2 $V")"
scenario version_srv12_cli13 1.3 protocol_version_mismatch false first "-naccept 1 -www -tls1_2 $(srvcert good chain)" "$(get "-tls1_3 $V")"
scenario version_srv12_cli11 1.1 protocol_version_mismatch false first "-naccept 1 -www -tls1_2 $(srvcert good chain)" "$(get "-tls1_1 -cipher DEFAULT:@SECLEVEL=0 $V")"
scenario cipher_12 1.2 no_shared_cipher false first "-naccept 1 -www -tls1_2 -cipher AES256-SHA $(srvcert good chain)" "$(get "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 $V")"
scenario cipher_13 1.3 no_shared_cipher false first "-naccept 1 -www -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 $(srvcert good chain)" "$(get "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 $V")"
scenario cipher_srv_13 1.3 no_shared_cipher false first "-naccept 1 -www -ciphersuites TLS_AES_128_CCM_SHA256 $(srvcert good chain)" "$(get "$V")"
scenario group_12 1.2 no_shared_group false first "-naccept 1 -www -tls1_2 -groups P-384 -cipher ECDHE-RSA-AES128-GCM-SHA256 $(srvcert good chain)" "$(get "-tls1_2 -groups P-256 $V")"
scenario group_13 1.3 no_shared_group false first "-naccept 1 -www -tls1_3 -groups P-384 $(srvcert good chain)" "$(get "-tls1_3 -groups X25519:P-256 $V")"
scenario group_cli_13 1.3 no_shared_group false first "-naccept 1 -www -groups X25519 $(srvcert good chain)" "$(get "-groups P-521 $V")"
# a server restricted to a group the (default) client supports but did not send a key share for: HRR, then success
scenario hrr_srv_13 1.3 hello_retry_request true first "-naccept 1 -www -groups ffdhe2048 $(srvcert good chain)" "$(get "$V")"
scenario hrr_13 1.3 hello_retry_request true first "-naccept 1 -www -groups P-256 $(srvcert good chain)" "$(get "-tls1_3 -groups X25519:P-256 $V")"
scenario weak_tls10 1.0 weak_protocol true first "-naccept 1 -www -tls1 -cipher DEFAULT:@SECLEVEL=0 $(srvcert good chain)" "$(get "-tls1 -cipher DEFAULT:@SECLEVEL=0 $V")"
scenario weak_tls11 1.1 weak_protocol true first "-naccept 1 -www -tls1_1 -cipher DEFAULT:@SECLEVEL=0 $(srvcert good chain)" "$(get "-tls1_1 -cipher DEFAULT:@SECLEVEL=0 $V")"
scenario weak_cipher_null 1.2 weak_cipher true first "-naccept 1 -www -tls1_2 -cipher NULL-SHA256:@SECLEVEL=0 $(srvcert good chain)" "$(get "-tls1_2 -cipher NULL-SHA256:@SECLEVEL=0 $V")"
scenario weak_cipher_anon 1.2 weak_cipher true first "-naccept 1 -www -tls1_2 -nocert -cipher ADH-AES128-GCM-SHA256:@SECLEVEL=0" "$(get "-tls1_2 -cipher ADH-AES128-GCM-SHA256:@SECLEVEL=0")"
scenario nofs_12 1.2 no_forward_secrecy true first "-naccept 1 -www -tls1_2 -cipher AES128-GCM-SHA256 $(srvcert good chain)" "$(get "-tls1_2 $V")"
scenario weak_sig_12 1.2 weak_signature true first "-naccept 1 -www -tls1_2 -cipher DEFAULT:@SECLEVEL=0 $(srvcert sha1 chain)" "$(get "-tls1_2 -cipher DEFAULT:@SECLEVEL=0")"
scenario weak_key_12 1.2 weak_key true first "-naccept 1 -www -tls1_2 -cipher DEFAULT:@SECLEVEL=0 $(srvcert weakkey chain)" "$(get "-tls1_2 -cipher DEFAULT:@SECLEVEL=0 $V")"
scenario weak_dh_12 1.2 weak_key true first "-naccept 1 -www -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0 -dhparam $CD/dh1024.pem $(srvcert good chain)" "$(get "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0 $V")"
scenario expiring_12 1.2 cert_expiring_soon true first "-naccept 1 -www $(srvcert expiring chain)" "$(get "-tls1_2 $V")"
scenario expiring_13 1.3 cert_expiring_soon true first "-naccept 1 -www $(srvcert expiring chain)" "$(get "-tls1_3 $V")"
scenario no_response - no_server_response false first peer:silent "timeout 6 \$C </dev/null"
scenario not_tls - not_tls_response false first peer:http "\$C </dev/null"
scenario reset - reset_during_handshake false first peer:reset "\$C </dev/null"
echo "labels: $LABELS"
