package httpdest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Param is one HttpParameters value: a literal, or a $.path resolved against the record a request
// is for. template.Param implements it.
type Param interface {
	// Append appends the value for the record doc holds, through doc (a value a filter or the
	// template found is not searched for again). false: a path found nothing, and dst is as it was.
	Append(dst []byte, doc *rawjson.Doc) ([]byte, bool)
	// IsPath reports whether the value depends on the record.
	IsPath() bool
}

// NamedParam is one header or query-string parameter of a target.
type NamedParam struct {
	Key   string
	Value Param
}

// Target is a pipe's API destination target with its TargetParameters.HttpParameters. It is
// immutable once made, and safe for concurrent use.
type Target struct {
	Dest *Destination

	pathParams     []Param
	query, headers []NamedParam

	// What every request of the target shares, computed by NewTarget.
	static  http.Header     // the headers of every request, when no header parameter varies
	secrets map[string]bool // the connection's secret headers
	// secretQuery and secretBody: the connection has a secret query-string or body value, so
	// requests carry a redacted URL or body built beside the real one.
	secretQuery, secretBody bool
	sorted                  bool // query has unique keys in order and the connection adds none
	// querySep starts the query: '&' when the endpoint has one already, else '?'.
	querySep byte
	// path is the URL before the query when no path value varies (pathStatic).
	path       string
	pathStatic bool
	// queryKeys are the escaped "?key=" or "&key=" of each query parameter, when sorted.
	queryKeys []string
}

// Params returns the target's parameters: path parameters, then query string, then headers.
func (t *Target) Params() []Param {
	out := append([]Param(nil), t.pathParams...)
	for _, np := range t.query {
		out = append(out, np.Value)
	}
	for _, np := range t.headers {
		out = append(out, np.Value)
	}
	return out
}

// NewTarget checks the target's parameters against its destination (one path value per
// wildcard, header names that can be sent) and computes what its requests share. The
// destination and its connection must not change afterwards.
func NewTarget(dest *Destination, path []Param, query, headers []NamedParam) (*Target, error) {
	if len(path) != dest.Wildcards() {
		return nil, fmt.Errorf("%w: endpoint %q has %d wildcard(s), PathParameterValues has %d value(s)",
			ErrPathParameters, dest.Endpoint, dest.Wildcards(), len(path))
	}
	for _, h := range headers {
		if err := checkHeaderName(h.Key); err != nil {
			return nil, err
		}
	}
	sortParams(query)
	sortParams(headers)
	t := &Target{Dest: dest, pathParams: path, query: query, headers: headers}
	t.secrets = dest.Conn.secretHeaders()
	t.secretQuery, t.secretBody = hasSecret(dest.Conn.Query), hasSecret(dest.Conn.Body)
	if len(headers) == 0 {
		t.static = t.header(nil)
	}
	t.sorted = len(dest.Conn.Query) == 0
	for i := 1; i < len(query); i++ {
		t.sorted = t.sorted && query[i-1].Key < query[i].Key
	}
	t.prepareURL()
	return t, nil
}

// prepareURL computes the parts of the URL that do not depend on the record. Path values are
// escaped, so the query separator depends on the endpoint alone.
func (t *Target) prepareURL() {
	t.querySep = '?'
	if strings.IndexByte(t.Dest.Endpoint, '?') >= 0 {
		t.querySep = '&'
	}
	t.pathStatic = true
	for _, p := range t.pathParams {
		t.pathStatic = t.pathStatic && !p.IsPath()
	}
	if t.pathStatic {
		t.path = string(t.appendPath(nil, nil))
	}
	if t.sorted {
		sep := t.querySep
		for _, p := range t.query {
			t.queryKeys = append(t.queryKeys, string(append(appendEscaped([]byte{sep}, p.Key), '=')))
			sep = '&'
		}
	}
}

// Query returns the QueryStringParameters, in key order. The slice must not be modified.
func (t *Target) Query() []NamedParam { return t.query }

// Headers returns the HeaderParameters, in key order. The slice must not be modified.
func (t *Target) Headers() []NamedParam { return t.headers }

// PathParams returns the PathParameterValues, in the endpoint's order. The slice must not be
// modified.
func (t *Target) PathParams() []Param { return t.pathParams }

// Static reports whether every request of the target has the same URL (as shown: RedactedURL),
// and the same headers: neither depends on the record. A caller that writes many requests can
// then write those once.
func (t *Target) Static() (url, header bool) {
	return t.urlStatic(), t.static != nil
}

// urlStatic reports whether the URL is the same for every record: the endpoint with literal path
// values and no query.
func (t *Target) urlStatic() bool {
	return t.pathStatic && len(t.query) == 0 && len(t.Dest.Conn.Query) == 0
}

func sortParams(ps []NamedParam) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
}

func checkHeaderName(name string) error {
	if name == "" || strings.ContainsAny(name, ": \t\r\n") || hasControl(name) {
		return fmt.Errorf("%w name %q", ErrBadHeader, name)
	}
	return nil
}

// Request is what an API destination sends for one record. Header, URL and Body hold the
// connection's secrets; anything printed or logged uses RedactedHeader (or IsSecret),
// RedactedURL and RedactedBody instead. Header may be shared by the requests of a target and
// must not be modified: Clone it first.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte

	secret map[string]bool
	// redactedURL and redactedBody are URL and Body built with RedactedValue for each secret
	// connection value; set only when redacts, so a request without one costs nothing more.
	redactedURL  string
	redactedBody []byte
	redacts      bool
}

// fixedHeaders are the headers every API destination request carries (archived
// eb-api-destinations.md); User-Agent and Range cannot be overridden.
var fixedHeaders = [][2]string{
	{"Content-Type", "application/json; charset=utf-8"},
	{"User-Agent", "Amazon/EventBridge/ApiDestinations"},
	{"Range", "bytes=0-1048575"},
	{"Accept-Encoding", "gzip,deflate"},
	{"Connection", "close"},
}

// removedHeaders are the header parameters API destinations drop (current docs' list). If-* is
// handled separately. Content-Type is absent: it became customizable in February 2024.
var removedHeaders = map[string]bool{
	"A-Im": true, "Accept-Charset": true, "Accept-Datetime": true, "Accept-Encoding": true,
	"Cache-Control": true, "Connection": true, "Content-Encoding": true, "Content-Length": true,
	"Content-Md5": true, "Date": true, "Expect": true, "Forwarded": true, "From": true, "Host": true,
	"Http2-Settings": true, "Max-Forwards": true, "Origin": true, "Pragma": true,
	"Proxy-Authorization": true, "Range": true, "Referer": true, "Te": true, "Trailer": true,
	"Transfer-Encoding": true, "User-Agent": true, "Upgrade": true, "Via": true, "Warning": true,
}

func removed(canonical string) bool {
	return removedHeaders[canonical] || strings.HasPrefix(canonical, "If-")
}

// Build makes the request for one record into *req (which a caller may allocate with other
// things): doc holds the untransformed record, for the $.path parameters, and body is the
// rendered input template or the record itself. A $.path that resolves to nothing renders as an
// empty string, as AWS does for API destination parameters.
func (t *Target) Build(req *Request, doc *rawjson.Doc, body []byte) {
	*req = Request{Method: t.Dest.Method, Header: t.static, secret: t.secrets}
	if req.Header == nil {
		req.Header = t.header(doc)
	}
	req.Body = body
	if !t.secretQuery && !t.secretBody {
		req.URL = t.buildURL(doc)
		if len(t.Dest.Conn.Body) > 0 {
			req.Body, _ = mergeBody(body, t.Dest.Conn.Body)
		}
		return
	}
	req.redacts = true
	req.URL, req.redactedURL = t.buildURLs(doc)
	req.Body, req.redactedBody = mergeBody(body, t.Dest.Conn.Body)
}

// header is the fixed headers, the target's header parameters resolved against the record doc
// holds (none when doc is nil), the connection's headers and its authorization, each overriding
// the last.
func (t *Target) header(doc *rawjson.Doc) http.Header {
	conn := t.Dest.Conn
	h := make(http.Header, len(fixedHeaders)+len(t.headers)+len(conn.Headers)+1)
	for _, f := range fixedHeaders {
		h.Set(f[0], f[1])
	}
	for _, p := range t.headers {
		setHeader(h, p.Key, resolve(p.Value, doc))
	}
	for _, kv := range conn.Headers {
		setHeader(h, kv.Key, kv.Value)
	}
	if conn.authHeader != "" {
		h.Set(conn.authHeader, conn.authValue)
	}
	return h
}

func setHeader(h http.Header, key, value string) {
	k := http.CanonicalHeaderKey(key)
	if removed(k) {
		return
	}
	h.Set(k, value)
}

// resolve is p's value for the record doc holds; "" when a path finds nothing.
func resolve(p Param, doc *rawjson.Doc) string {
	var buf [64]byte
	b, _ := p.Append(buf[:0], doc)
	return string(b)
}

func (t *Target) buildURL(doc *rawjson.Doc) string {
	if t.urlStatic() {
		return t.path // the same for every record: shared, not copied
	}
	if !t.sorted {
		url, _ := t.buildURLs(doc)
		return url
	}
	// Built in a pooled buffer, values resolved and escaped into it (a Param is an interface:
	// a buffer handed to it leaves the stack), then copied into the string: the URL is the
	// request's one allocation.
	bp := urlBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	if t.pathStatic {
		b = append(b, t.path...)
	} else {
		b = t.appendPath(b, doc)
	}
	for i, p := range t.query {
		b = appendParam(append(b, t.queryKeys[i]...), p.Value, doc)
	}
	url := string(b)
	if cap(b) <= maxPooledURL {
		*bp = b
		urlBuffers.Put(bp)
	}
	return url
}

// urlBuffers hold the URLs being built; one longer than maxPooledURL is not kept.
var urlBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

const maxPooledURL = 8 << 10

// appendPath appends the URL before its query: the endpoint with each wildcard replaced by its
// path value, escaped.
func (t *Target) appendPath(b []byte, doc *rawjson.Doc) []byte {
	for i, seg := range t.Dest.segments {
		b = append(b, seg...)
		if i < len(t.pathParams) {
			b = appendParam(b, t.pathParams[i], doc)
		}
	}
	return b
}

// appendParam appends p's value for the record doc holds, escaped. A value that is not found is
// empty. A nil doc (a literal's value, computed once) is an empty record.
func appendParam(b []byte, p Param, doc *rawjson.Doc) []byte {
	start := len(b)
	if doc == nil {
		doc = emptyDoc
	}
	b, _ = p.Append(b, doc)
	return escapeTail(b, start)
}

// emptyDoc stands for no record: literal values need none.
var emptyDoc = func() *rawjson.Doc { d := rawjson.New(nil); d.Freeze(); return d }()

// escapeTail escapes b[start:] in place, as appendEscaped would have appended it.
func escapeTail(b []byte, start int) []byte {
	n := 0
	for _, c := range b[start:] {
		if !unreserved(c) {
			n++
		}
	}
	if n == 0 {
		return b
	}
	end := len(b)
	b = append(b, make([]byte, 2*n)...)
	j := len(b)
	for i := end - 1; i >= start; i-- { // from the end, so no byte is overwritten before it is read
		c := b[i]
		if unreserved(c) {
			j--
			b[j] = c
			continue
		}
		j -= 3
		b[j], b[j+1], b[j+2] = '%', hexDigits[c>>4], hexDigits[c&15]
	}
	return b
}

// unreserved reports whether c is in RFC 3986's unreserved set, which is sent as it is.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

const hexDigits = "0123456789ABCDEF"

// appendEscaped is escape appending to b: unreserved bytes as they are, every other byte %XX.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return b
}

// buildURLs builds the URL the slow way, for a target whose query parameters are not sorted
// already or whose connection adds some, and the URL to show: the same with each secret
// connection value written as RedactedValue (the same string when there is none).
func (t *Target) buildURLs(doc *rawjson.Doc) (url, shown string) {
	b := t.appendPath(nil, doc)
	if len(t.query) == 0 && len(t.Dest.Conn.Query) == 0 {
		url = string(b)
		return url, url
	}
	b = append(b, t.querySep)
	n := len(b)
	params := t.queryParams(doc)
	url = string(appendQuery(b, params, false))
	if !t.secretQuery {
		return url, url
	}
	return url, string(appendQuery(b[:n], params, true))
}

// queryParam is one query-string parameter of a request.
type queryParam struct {
	key, value string
	secret     bool
}

// queryParams are the target's query parameters merged with the connection's (the connection
// wins), in key order.
func (t *Target) queryParams(doc *rawjson.Doc) []queryParam {
	vals := map[string]queryParam{}
	for _, p := range t.query {
		vals[p.Key] = queryParam{key: p.Key, value: resolve(p.Value, doc)}
	}
	for _, kv := range t.Dest.Conn.Query {
		vals[kv.Key] = queryParam{key: kv.Key, value: kv.Value, secret: kv.Secret}
	}
	params := make([]queryParam, 0, len(vals))
	for _, p := range vals {
		params = append(params, p)
	}
	slices.SortFunc(params, func(a, b queryParam) int { return strings.Compare(a.key, b.key) })
	return params
}

// appendQuery appends the parameters escaped, with %20 for a space; with redact, a secret value is
// written as RedactedValue.
func appendQuery(b []byte, params []queryParam, redact bool) []byte {
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(appendEscaped(b, p.key), '=')
		if redact && p.secret {
			b = append(b, RedactedValue...)
		} else {
			b = appendEscaped(b, p.value)
		}
	}
	return b
}
