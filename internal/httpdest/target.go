package httpdest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Param is one HttpParameters value: a literal, or a $.path resolved against the untransformed
// record. template.Param implements it.
type Param interface {
	Resolve(record []byte) (value string, found bool)
}

// appender is a Param that appends its value to a buffer (template.Param does), so that a URL is
// built without a string per parameter.
type appender interface {
	AppendResolve(dst, record []byte) ([]byte, bool)
}

// Resolver resolves a target's parameters for the record a request is built for, remembering
// where earlier paths led in it: the runtime passes the *template.Cursor it rendered the body
// with. p is one of the target's Params; the value appended is what p.Resolve gives.
type Resolver interface {
	AppendParam(dst []byte, p any) ([]byte, bool)
}

// NamedParam is one header or query-string parameter of a target.
type NamedParam struct {
	Key   string
	Value Param
}

// Target is a pipe's API destination target with its TargetParameters.HttpParameters.
type Target struct {
	Dest       *Destination
	PathParams []Param
	Query      []NamedParam
	Headers    []NamedParam

	prepared sync.Once
	static   http.Header     // the headers of every request, when no header parameter varies
	secrets  map[string]bool // the connection's secret headers
	// secretQuery and secretBody: the connection has a secret query-string or body value, so
	// requests carry a redacted URL or body built beside the real one.
	secretQuery, secretBody bool
	sorted                  bool // Query has unique keys in order and the connection adds none
	// querySep starts the query: '&' when the endpoint has one already, else '?'.
	querySep byte
	// path is the URL before the query when no path value varies (pathStatic).
	path       string
	pathStatic bool
	// queryKeys are the escaped "?key=" or "&key=" of each Query parameter, when sorted.
	queryKeys []string
	// resolvesPaths is true when a path or query value is a $.path.
	resolvesPaths bool
	// urlSize is the length of the longest URL built so far: the next one's buffer size.
	urlSize atomic.Int64
}

// Params returns the target's parameters: path parameters, then query string, then headers.
func (t *Target) Params() []Param {
	out := append([]Param(nil), t.PathParams...)
	for _, np := range t.Query {
		out = append(out, np.Value)
	}
	for _, np := range t.Headers {
		out = append(out, np.Value)
	}
	return out
}

// prepare computes, once, what every request of the target shares. The target and its
// destination must not change after the first Build.
func (t *Target) prepare() {
	t.prepared.Do(func() {
		t.secrets = t.Dest.Conn.secretHeaders()
		t.secretQuery, t.secretBody = hasSecret(t.Dest.Conn.Query), hasSecret(t.Dest.Conn.Body)
		if len(t.Headers) == 0 {
			t.static = t.headers(nil)
		}
		t.sorted = len(t.Dest.Conn.Query) == 0
		for i := 1; i < len(t.Query); i++ {
			t.sorted = t.sorted && t.Query[i-1].Key < t.Query[i].Key
		}
		t.prepareURL()
	})
}

// prepareURL computes the parts of the URL that do not depend on the record. Path values are
// escaped, so the query separator depends on the endpoint alone.
func (t *Target) prepareURL() {
	t.querySep = '?'
	if strings.IndexByte(t.Dest.Endpoint, '?') >= 0 {
		t.querySep = '&'
	}
	t.pathStatic = true
	for _, p := range t.PathParams {
		t.pathStatic = t.pathStatic && isLiteral(p)
	}
	t.resolvesPaths = !t.pathStatic
	for _, p := range t.Query {
		t.resolvesPaths = t.resolvesPaths || !isLiteral(p.Value)
	}
	if t.pathStatic {
		t.path = string(t.appendPath(nil, nil, nil))
	}
	if t.sorted {
		sep := t.querySep
		for _, p := range t.Query {
			t.queryKeys = append(t.queryKeys, string(append(appendEscaped([]byte{sep}, p.Key), '=')))
			sep = '&'
		}
	}
}

// isLiteral reports whether p resolves to the same value for every record: a parameter that says
// it is not a $.path (template.Param does).
func isLiteral(p Param) bool {
	lp, ok := p.(interface{ IsPath() bool })
	return ok && !lp.IsPath()
}

// NewTarget checks the target's parameters against its destination: one path value per wildcard,
// and header names that can be sent.
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
	return &Target{Dest: dest, PathParams: path, Query: query, Headers: headers}, nil
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

// Build makes the request for one record: record is the untransformed record (for $.path
// parameters), body the rendered input template or the record itself. A $.path that resolves to
// nothing renders as an empty string, as AWS does for API destination parameters.
func (t *Target) Build(record, body []byte) *Request {
	req := new(Request)
	t.BuildInto(req, record, body)
	return req
}

// BuildInto is Build writing the request into *req, for a caller that allocates it together
// with other things (the runtime keeps it in its execution): one allocation less per request.
func (t *Target) BuildInto(req *Request, record, body []byte) {
	t.BuildResolved(req, record, body, nil)
}

// BuildResolved is BuildInto resolving the URL's parameters through res, which must be bound to
// record; a nil res resolves them from record's start.
func (t *Target) BuildResolved(req *Request, record, body []byte, res Resolver) {
	t.prepare()
	*req = Request{Method: t.Dest.Method, Header: t.static, secret: t.secrets}
	if req.Header == nil {
		req.Header = t.headers(record)
	}
	req.Body = body
	if !t.secretQuery && !t.secretBody {
		req.URL = t.buildURL(record, res)
		if len(t.Dest.Conn.Body) > 0 {
			req.Body, _ = mergeBody(body, t.Dest.Conn.Body)
		}
		return
	}
	req.redacts = true
	req.URL, req.redactedURL = t.buildURLs(record, res)
	req.Body, req.redactedBody = mergeBody(body, t.Dest.Conn.Body)
}

// ResolvesPaths reports whether the URL has a $.path value, which a Resolver can help with.
func (t *Target) ResolvesPaths() bool {
	t.prepare()
	return t.resolvesPaths
}

// headers are the fixed headers, the target's header parameters resolved against record (none
// when record is nil), the connection's headers and its authorization, each overriding the last.
func (t *Target) headers(record []byte) http.Header {
	conn := t.Dest.Conn
	h := make(http.Header, len(fixedHeaders)+len(t.Headers)+len(conn.Headers)+1)
	for _, f := range fixedHeaders {
		h.Set(f[0], f[1])
	}
	for _, p := range t.Headers {
		v, _ := p.Value.Resolve(record)
		setHeader(h, p.Key, v)
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

func (t *Target) buildURL(record []byte, res Resolver) string {
	if t.pathStatic && len(t.Query) == 0 && len(t.Dest.Conn.Query) == 0 {
		return t.path // the same for every record: shared, not copied
	}
	if !t.sorted {
		url, _ := t.buildURLs(record, res)
		return url
	}
	// Built in the string's own memory: the URL is the only allocation, and values are
	// resolved and escaped into it without a string each.
	b := make([]byte, 0, t.urlSize.Load()+urlSlack)
	if t.pathStatic {
		b = append(b, t.path...)
	} else {
		b = t.appendPath(b, record, res)
	}
	for i, p := range t.Query {
		b = appendParam(append(b, t.queryKeys[i]...), p.Value, record, res)
	}
	if n := int64(len(b)); n > t.urlSize.Load() {
		t.urlSize.Store(n) // a racing smaller store only costs a later append a copy
	}
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not written again
}

// urlSlack is the room a URL buffer has beyond the longest URL the target has built so far.
const urlSlack = 32

// appendPath appends the URL before its query: the endpoint with each wildcard replaced by its
// path value, escaped.
func (t *Target) appendPath(b, record []byte, res Resolver) []byte {
	for i, seg := range t.Dest.segments {
		b = append(b, seg...)
		if i < len(t.PathParams) {
			b = appendParam(b, t.PathParams[i], record, res)
		}
	}
	return b
}

// appendParam appends p's value for record, escaped, resolved through res when it is not nil.
// A value that is not found is empty.
func appendParam(b []byte, p Param, record []byte, res Resolver) []byte {
	start := len(b)
	if res != nil {
		b, _ = res.AppendParam(b, p)
		return escapeTail(b, start)
	}
	a, ok := p.(appender)
	if !ok {
		v, _ := p.Resolve(record)
		return appendEscaped(b, v)
	}
	b, _ = a.AppendResolve(b, record)
	return escapeTail(b, start)
}

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
func (t *Target) buildURLs(record []byte, res Resolver) (url, shown string) {
	b := t.appendPath(nil, record, res)
	if len(t.Query) == 0 && len(t.Dest.Conn.Query) == 0 {
		url = string(b)
		return url, url
	}
	b = append(b, t.querySep)
	n := len(b)
	params := t.queryParams(record)
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
func (t *Target) queryParams(record []byte) []queryParam {
	vals := map[string]queryParam{}
	for _, p := range t.Query {
		v, _ := p.Value.Resolve(record)
		vals[p.Key] = queryParam{key: p.Key, value: v}
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
