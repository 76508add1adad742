package secrettest

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Values are secrets whose escaped forms differ from their text in a URL, a JSON string or both.
// None has a control character, so each can be a header value too.
var Values = []string{
	`a<b>&c`,              // \u003c \u003e \u0026 in encoding/json's default escaping
	`say "hi" 'there'`,    // quotes
	`C:\dir\key\`,         // backslashes
	"ключ-🔑-é",            // unicode
	"sp ace/slash?q=1&x#", // URL specials
	"a+b=c%41",            // what URL encodings turn into one another
}

// Forms are the texts value can take: as it is, URL-escaped (query and path, space as %20 or
// +), and between the quotes of a JSON string written by encoding/json (HTML-safe) or by
// pipesim's writer, once, twice or three times over (a body parameter inside a logged request
// inside a log line).
func Forms(value string) []string {
	forms := []string{value, url.QueryEscape(value), strings.ReplaceAll(url.QueryEscape(value), "+", "%20"), url.PathEscape(value)}
	for _, quote := range []func(string) []byte{
		func(s string) []byte { b, _ := json.Marshal(s); return b },
		func(s string) []byte { return rawjson.AppendString(nil, s, rawjson.Output) },
	} {
		v := value
		for range 3 {
			q := quote(v)
			v = string(q[1 : len(q)-1])
			forms = append(forms, v)
		}
	}
	return forms
}

// Leak returns the first form of secret that s contains, or "".
func Leak(s, secret string) string {
	for _, form := range Forms(secret) {
		if form != "" && strings.Contains(s, form) {
			return form
		}
	}
	return ""
}
