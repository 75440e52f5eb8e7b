// goverify: Go's crypto/x509 as an independent oracle for certcheck's strict profile (issue 14).
// It reads a JSON array of cases on stdin and writes one JSON object per case on stdout:
//
//	in:  [{"name": "...", "leaf": "<base64 DER>", "intermediates": ["<base64 DER>", ...],
//	       "roots": ["<base64 DER>", ...], "host": "backend.test", "at": "2030-06-01T00:00:00Z"}]
//	out: {"name": "...", "ok": true, "chain": ["subject", ...]}
//	     {"name": "...", "ok": false, "error": "x509: ..."}
//
// Verification is what a TLS client does (ExtKeyUsageServerAuth, the host name, the time given):
// crypto/x509 builds every candidate path from the unordered intermediates and backtracks.
package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

type testCase struct {
	Name          string   `json:"name"`
	Leaf          string   `json:"leaf"`
	Intermediates []string `json:"intermediates"`
	Roots         []string `json:"roots"`
	Host          string   `json:"host"`
	At            string   `json:"at"`
}

type result struct {
	Name  string   `json:"name"`
	OK    bool     `json:"ok"`
	Chain []string `json:"chain,omitempty"`
	Error string   `json:"error,omitempty"`
}

func parse(b64 string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func verify(c testCase) result {
	r := result{Name: c.Name}
	leaf, err := parse(c.Leaf)
	if err != nil {
		r.Error = "leaf: " + err.Error()
		return r
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, s := range c.Roots {
		cert, err := parse(s)
		if err != nil {
			r.Error = "root: " + err.Error()
			return r
		}
		roots.AddCert(cert)
	}
	for _, s := range c.Intermediates {
		// An intermediate Go cannot parse is one it cannot use; the path may not need it.
		if cert, err := parse(s); err == nil {
			inter.AddCert(cert)
		}
	}
	at, err := time.Parse(time.RFC3339, c.At)
	if err != nil {
		r.Error = "at: " + err.Error()
		return r
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		DNSName: c.Host, Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.OK = true
	for _, cert := range chains[0] {
		r.Chain = append(r.Chain, cert.Subject.String())
	}
	return r
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "goverify: bad input:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, c := range cases {
		if err := enc.Encode(verify(c)); err != nil {
			os.Exit(1)
		}
	}
}
