// Package awsfake is a fake AWS endpoint for tests: an httptest server that
// speaks the Price List Query API (AWS JSON 1.1, GetProducts) and EC2's query
// protocol (DescribeSpotPriceHistory) well enough for the real SDK clients.
//
// Point clients at it with Config (in-process) or Env (a child process); Use
// Redirect to keep the endpoints the SDK resolves (the Host header is
// recorded in each Call). Load fixtures from testdata/aws, add products and
// spot records, shrink pages, inject faults, then read Calls.
package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Operation names, as in Call.Op and Fault.Op.
const (
	GetProducts              = "GetProducts"
	DescribeSpotPriceHistory = "DescribeSpotPriceHistory"
)

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	mu           sync.Mutex
	products     []product
	spot         []SpotRecord
	pricingPage  int // max records per GetProducts page (0: the request's MaxResults)
	spotPage     int // max records per DescribeSpotPriceHistory page
	faults       []*Fault
	calls        []Call
	hook         func(Call)
	requestCount int
}

// Call records one request.
type Call struct {
	Op string
	// Host is the Host header: the endpoint the SDK resolved when the client
	// uses Redirect, the server's own address otherwise.
	Host string
	// SigningRegion is the region in the SigV4 credential scope ("" for
	// anonymous requests).
	SigningRegion string
	// ServiceCode and Filters (field -> value) of a GetProducts request.
	ServiceCode string
	Filters     map[string]string
	// Form holds the parameters of an EC2 request.
	Form url.Values
	// NextToken sent by the client ("" for a first page).
	NextToken string
	// Status is the HTTP status answered; Error the fault's code, if any.
	Status int
	Error  string
}

// Fault makes requests fail.
type Fault struct {
	Op      string // GetProducts or DescribeSpotPriceHistory
	Code    string // ThrottlingException, AccessDeniedException, RequestLimitExceeded, UnauthorizedOperation, ...
	Message string // default: a message like AWS's
	// Page limits the fault to the n-th page of a pagination (1 = first
	// page, without NextToken); 0 means any page.
	Page int
	// Times is how many requests fail; 0 means until ClearFaults.
	Times int
	// ServiceCode limits a GetProducts fault to one service ("" any).
	ServiceCode string
}

// New starts a server; it is closed by t.Cleanup if you pass one, else call Close.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetPageSize caps the records per page (0: honour the request's MaxResults).
func (s *Server) SetPageSize(pricing, spot int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pricingPage, s.spotPage = pricing, spot
}

// Fail adds a fault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// SetHook calls fn (from the server's goroutine) after each request is answered.
func (s *Server) SetHook(fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = fn
}

// Calls returns the requests so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the requests of one operation.
func (s *Server) CallsTo(op string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the recorded requests.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Config is an SDK configuration for region that reaches this server:
// anonymous credentials, no retries, BaseEndpoint set to the server (and
// the Redirect client, so other endpoints reach it too).
func (s *Server) Config(region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.Redirect(),
	}
}

// Env is the environment that points a child process's SDK at this server
// with fake credentials and no shared config, IMDS or retries.
func (s *Server) Env(region string) []string {
	return []string{
		"AWS_ENDPOINT_URL_PRICING=" + s.URL,
		"AWS_ENDPOINT_URL_EC2=" + s.URL,
		"AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKEFAKE",
		"AWS_SECRET_ACCESS_KEY=fake/secret/key",
		"AWS_REGION=" + region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_MAX_ATTEMPTS=1",
	}
}

// Redirect returns an HTTP client that sends every request to this server
// whatever host the SDK resolved, keeping that host in the Host header.
func (s *Server) Redirect() *http.Client {
	target, _ := url.Parse(s.URL)
	return &http.Client{Transport: redirect{target: target, next: s.Client().Transport}}
}

type redirect struct {
	target *url.URL
	next   http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	if req.Body != nil {
		// Hide the SDK body's WriteTo: after the SDK closes the body it
		// answers io.EOF, which net/http takes for a read error and then
		// closes the connection mid-response (loopback is fast enough to
		// hit this).
		out.Body = struct{ io.ReadCloser }{req.Body}
	}
	out.Host = req.URL.Host
	out.URL.Scheme, out.URL.Host = r.target.Scheme, r.target.Host
	return r.next.RoundTrip(out)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	call := Call{Host: r.Host, SigningRegion: signingRegion(r.Header.Get("Authorization"))}
	var status int
	var body []byte
	var ctype string
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "AWSPriceListService.GetProducts":
		call.Op = GetProducts
		status, body = s.getProducts(r, &call)
		ctype = "application/x-amz-json-1.1"
	case target != "":
		status, body = jsonError(http.StatusBadRequest, "UnknownOperationException", "unknown operation "+target)
		ctype = "application/x-amz-json-1.1"
	default:
		status, body = s.ec2(r, &call)
		ctype = "text/xml;charset=UTF-8"
	}
	call.Status = status
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Amzn-RequestId", "fake-"+strconv.Itoa(s.nextRequest()))
	w.WriteHeader(status)
	_, _ = w.Write(body)

	s.mu.Lock()
	s.calls = append(s.calls, call)
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(call)
	}
}

func (s *Server) nextRequest() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestCount++
	return s.requestCount
}

// fault returns the fault that applies to this request, consuming one of its
// Times.
func (s *Server) fault(op, service string, page int) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op != op || (f.Page != 0 && f.Page != page) || (f.ServiceCode != "" && f.ServiceCode != service) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

// signingRegion reads the region from a SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20260801/us-east-1/pricing/aws4_request, ...".
func signingRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[2]
}

// Page tokens are opaque to clients, like AWS's.
func encodeToken(offset int) string {
	b, _ := json.Marshal(map[string]int{"offset": offset})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string) (int, bool) {
	if tok == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	var v map[string]int
	if json.Unmarshal(b, &v) != nil {
		return 0, false
	}
	off, ok := v["offset"]
	return off, ok && off > 0
}

// pageOf is the 1-based page number of a request for a page size.
func pageOf(offset, size int) int {
	if size <= 0 {
		return 1
	}
	return offset/size + 1
}

func jsonError(status int, code, msg string) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.pricing#" + code, "Message": msg})
	return status, b
}

func xmlError(status int, code, msg string) (int, []byte) {
	return status, fmt.Appendf(nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>",
		xmlEscape(code), xmlEscape(msg), "fake-"+strconv.FormatInt(time.Now().UnixNano(), 36))
}
