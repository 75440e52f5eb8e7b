#!/usr/bin/env bash
# Format fixtures for src/x509/decode.ts: one small PKI written out in every container the decoder
# accepts (PEM, DER, bare Base-64, PKCS#7, PKCS#12) plus the non-certificate PEM files it must refuse.
# Hostile inputs (huge KDF iteration counts, deep nesting, truncation) are built in memory by
# test/unit/decode.test.ts, because openssl itself would hang or refuse to write them.
#
# Deterministic where openssl allows: keys are created once and then reused, certificates and the
# CRL carry fixed serials and dates and RSA PKCS#1 v1.5 signatures, so re-running gives the same
# bytes. PKCS#12 files cannot be reproducible (openssl draws fresh salts and IVs every time); tests
# only rely on what they contain. Test-only keys and password: never use them for anything real.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out/formats"
mkdir -p "$out"
cd "$out"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

PASS='test-only-pass'

# openssl ca is the only 3.0 command that takes absolute start/end dates (req/x509 only have -days).
cat > "$work/ca.cnf" <<'EOF'
[ ca ]
default_ca = fixture_ca
[ fixture_ca ]
dir = .
database = $ENV::CA_DB
serial = $ENV::CA_SERIAL
new_certs_dir = $ENV::CA_NEWCERTS
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
crlnumber = $ENV::CA_CRLNUMBER
[ policy_any ]
commonName = supplied
organizationName = optional
[ root_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ inter_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:formats.certcheck.test, DNS:www.formats.certcheck.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ crl_ext ]
authorityKeyIdentifier = keyid
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = formats.certcheck.test
EOF

export CA_DB="$work/index.txt" CA_SERIAL="$work/serial" CA_NEWCERTS="$work" CA_CRLNUMBER="$work/crlnumber"
: > "$CA_DB"
echo 01 > "$CA_CRLNUMBER"

for k in root inter leaf; do
  [ -s "$k.key" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k.key" 2>/dev/null
done

sign() { # name serial subject ext issuer-cert issuer-key csr
  echo "$2" > "$CA_SERIAL"
  local extra=()
  if [ "$5" = self ]; then extra=(-selfsign -keyfile "$6"); else extra=(-cert "$5" -keyfile "$6"); fi
  openssl ca -config "$work/ca.cnf" -batch -notext -preserveDN -subj "$3" -extensions "$4" \
    -startdate 20250101000000Z -enddate 20350101000000Z -in "$7" -out "$1.pem" "${extra[@]}" 2>/dev/null
}

openssl req -new -config "$work/ca.cnf" -key root.key -subj '/O=certcheck test/CN=Formats Test Root' -out "$work/root.csr"
openssl req -new -config "$work/ca.cnf" -key inter.key -subj '/O=certcheck test/CN=Formats Test Intermediate' -out "$work/inter.csr"
openssl req -new -config "$work/ca.cnf" -key leaf.key -subj '/CN=formats.certcheck.test' -out csr.pem

sign root 1001 '/O=certcheck test/CN=Formats Test Root' root_ext self root.key "$work/root.csr"
sign inter 1002 '/O=certcheck test/CN=Formats Test Intermediate' inter_ext root.pem root.key "$work/inter.csr"
sign leaf 1003 '/CN=formats.certcheck.test' leaf_ext inter.pem inter.key csr.pem

cat leaf.pem inter.pem root.pem > chain.pem
cat inter.pem root.pem > "$work/cas.pem"

# What people paste from `openssl x509 -text`, saved by a Windows editor: BOM, CRLF, prose around blocks.
{
  printf '\xef\xbb\xbf'
  for c in leaf inter root; do openssl x509 -in "$c.pem" -text -certopt no_pubkey,no_sigdump; done
} | sed 's/$/\r/' > chain-crlf.pem

openssl x509 -in leaf.pem -outform DER -out leaf.der
# Windows "Base-64 encoded X.509 (.CER)" without the armour, as in the gateway's trustedRootCertificates[].data.
openssl base64 -in leaf.der | sed 's/$/\r/' > leaf.cer

openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out chain.p7b
openssl crl2pkcs7 -nocrl -certfile chain.pem -out chain.p7b.pem

# A CRL (fixed dates) on its own, inside a p7b next to the certificates, and alone in a p7b.
openssl ca -config "$work/ca.cnf" -gencrl -cert inter.pem -keyfile inter.key -crlexts crl_ext \
  -crl_lastupdate 20250601000000Z -crl_nextupdate 20250701000000Z -out crl.pem 2>/dev/null
openssl crl2pkcs7 -in crl.pem -certfile chain.pem -outform DER -out chain-with-crl.p7b
openssl crl2pkcs7 -in crl.pem -outform DER -out crl-only.p7b
openssl crl2pkcs7 -nocrl -outform DER -out empty.p7b

openssl pkey -in leaf.key -out key-only.pem
openssl pkey -in leaf.key -pubout -out pubkey.pem
cat leaf.pem key-only.pem inter.pem > leaf-with-key.pem
openssl x509 -in root.pem -trustout -addtrust serverAuth -out trusted.pem

# PKCS#12: OpenSSL 3 default (PBES2 AES-256-CBC, PBKDF2-SHA256, SHA-256 MAC), -legacy (RC2-40 certs,
# 3DES key, SHA-1 MAC), 3DES everywhere (older Windows), no MAC, empty password, certificates only.
p12() { openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile "$work/cas.pem" -name formats-leaf "$@"; }
p12 -passout "pass:$PASS" -out chain.pfx
p12 -passout "pass:$PASS" -legacy -out chain-legacy.pfx
p12 -passout "pass:$PASS" -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -out chain-3des.pfx
p12 -passout "pass:$PASS" -nomac -out chain-nomac.pfx
p12 -passout pass: -out chain-nopass.pfx
openssl pkcs12 -export -nokeys -in chain.pem -passout "pass:$PASS" -out certs-only.pfx

rm -f index.txt* serial* crlnumber* ./*.old
