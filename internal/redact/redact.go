// Package redact removes credentials from text that the command prints or
// logs: URLs in messages and records, manager configs shown as JSON.
//
// The policy, one for the whole module:
//
//   - A URL's user information (user:password@, or a token given as the
//     user name) becomes "xxxxx@": the whole of it, since user names are
//     often tokens too.
//   - The values of query parameters whose names look like credentials
//     become "xxxxx"; other parameters, the host, the path and the fragment
//     are kept, so that a redacted URL still says where it points.
//     Credential names, compared without regard to case: any name holding
//     token, secret, passw, pwd, signature, credential, apikey, api_key,
//     api-key, access_key, accesskey, auth or session; the names key, sig,
//     code and sas; every X-Amz-* and X-Goog-* parameter (presigned S3 and
//     GCS URLs); and the fields of an Azure shared access signature (sv,
//     ss, srt, sp, se, st, spr, sr, si, sig, skoid, sktid, skt, ske, sks,
//     skv, sdd), which together grant access.
//   - In free text, besides URLs: "Bearer <token>", PEM private keys, and
//     name=value or "name": "value" pairs whose name is a credential name
//     have their value replaced (name: value in prose is left alone).
//   - In JSON, every string is redacted as free text, and the string value
//     of a member whose name is a credential name (as above, but without
//     the bare names key and code, which manager configs use for storage
//     keys) becomes "xxxxx".
//
// Redaction errs on the side of hiding: a parameter named like a credential
// is hidden even when it holds none.
package redact

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces every redacted value.
const Mask = "xxxxx"

// azureSAS are the query parameters of an Azure shared access signature.
var azureSAS = map[string]bool{
	"sv": true, "ss": true, "srt": true, "sp": true, "se": true, "st": true, "spr": true, "sr": true, "si": true,
	"sig": true, "skoid": true, "sktid": true, "skt": true, "ske": true, "sks": true, "skv": true, "sdd": true,
}

// credentialWords make any name that contains one a credential name.
var credentialWords = []string{"token", "secret", "passw", "pwd", "signature", "credential", "apikey", "api_key", "api-key",
	"access_key", "accesskey", "auth", "session"}

// IsCredentialKey reports whether a query parameter (or a name=value pair
// in text) named name holds a credential under the package's policy.
func IsCredentialKey(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "key", "sig", "code", "sas":
		return true
	}
	return isCredentialField(n)
}

// IsCredentialField reports whether a JSON member named name holds a
// credential: as IsCredentialKey, except for the bare names "key" and
// "code", which configs use for storage keys.
func IsCredentialField(name string) bool {
	n := strings.ToLower(name)
	return n == "sig" || n == "sas" || isCredentialField(n)
}

func isCredentialField(n string) bool {
	if azureSAS[n] || strings.HasPrefix(n, "x-amz-") || strings.HasPrefix(n, "x-goog-") {
		return true
	}
	for _, w := range credentialWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// URL returns raw with its user information and credential query values
// replaced by [Mask]. Everything else is kept as written, so raw need not
// parse as a URL: a string without "://" is returned unchanged unless it
// has a query.
func URL(raw string) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	if i := strings.Index(base, "://"); i >= 0 {
		auth := base[i+3:]
		end := strings.IndexAny(auth, "/")
		if end < 0 {
			end = len(auth)
		}
		if at := strings.LastIndexByte(auth[:end], '@'); at >= 0 {
			base = base[:i+3] + Mask + auth[at:]
		}
	}
	out := base
	if hasQuery {
		out += "?" + redactQuery(query)
	}
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// redactQuery masks the credential values of a raw query.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && IsCredentialKey(name) {
			parts[i] = k + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

var (
	urlPattern    = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>\x60]+`)
	pemPattern    = regexp.MustCompile(`(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)`)
	bearerPattern = regexp.MustCompile(`(?i)(bearer\s+)[^\s"',;]+`)
	pairPattern   = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9_.\-]*)(=|"\s*:\s*")([^\s&"',;}]+)`)
)

// String returns s with the credentials it holds replaced by [Mask]: the
// URLs in it redacted as by [URL], bearer tokens, private keys, and the
// values of name=value (or "name": "value") pairs with a credential name.
func String(s string) string {
	s = pemPattern.ReplaceAllString(s, Mask)
	s = bearerPattern.ReplaceAllString(s, "${1}"+Mask)
	s = urlPattern.ReplaceAllStringFunc(s, URL)
	return pairPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := pairPattern.FindStringSubmatch(m)
		if sub[3] == Mask || !IsCredentialKey(sub[1]) || strings.HasPrefix(sub[3], "//") {
			return m
		}
		return sub[1] + sub[2] + Mask
	})
}

// JSON returns the JSON document data with every string redacted as by
// [String] and the string values of credential members (see
// [IsCredentialField]) replaced by [Mask]. Objects keep their members'
// order. Data that is not valid JSON is redacted as text.
func JSON(data []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	if err := redactValue(dec, &out, false); err != nil || dec.More() {
		return []byte(String(string(data)))
	}
	return out.Bytes()
}

// redactValue copies one JSON value from dec to out; secret masks a string.
func redactValue(dec *json.Decoder, out *bytes.Buffer, secret bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		out.WriteString(t.String())
		end := map[json.Delim]byte{'{': '}', '[': ']'}[t]
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			memberSecret := false
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				name, _ := k.(string)
				writeString(out, name)
				out.WriteByte(':')
				memberSecret = IsCredentialField(name)
			}
			if err := redactValue(dec, out, memberSecret); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte(end)
	case string:
		if secret && t != "" {
			t = Mask
		}
		writeString(out, String(t))
	default:
		b, _ := json.Marshal(t)
		out.Write(b)
	}
	return nil
}

func writeString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	out.Truncate(out.Len() - 1) // the newline Encode adds
}

// Error returns err with its message redacted as free text ([String]); the
// cause stays reachable for errors.Is and errors.As. nil stays nil.
// Managers pass the errors they return through it, since keys, URLs and
// driver messages may carry credentials.
func Error(err error) error {
	if err == nil {
		return nil
	}
	if _, done := err.(*redactedError); done {
		return err
	}
	return &redactedError{err}
}

type redactedError struct{ err error }

func (e *redactedError) Error() string { return String(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }
