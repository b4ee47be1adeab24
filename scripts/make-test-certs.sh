#!/usr/bin/env bash
# Makes the test CA and the certificate of the tests' HTTPS server
# (tests/fixtures/tls): a CA, and a server certificate it signs for
# localhost and 127.0.0.1, both valid for 100 years. The keys are for the
# tests only. Needs openssl; run again to replace them.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/tls"
days=36500
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout ca.key -out ca.pem -days "$days" -subj "/CN=probe test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout server.key -out server.csr -subj "/CN=localhost"
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -out server.pem -days "$days" \
  -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n')
# rustls reads PKCS#8 keys.
openssl pkcs8 -topk8 -nocrypt -in server.key -out server.key.pk8 && mv server.key.pk8 server.key
rm -f server.csr ca.srl ca.key
