package awsapi

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// ShieldBody wraps an SDK HTTP client (nil: the SDK's default) so request
// bodies reach net/http without their WriteTo method.
//
// Why: the SDK closes a request body as soon as the response headers arrive,
// and its body wrapper then answers WriteTo with io.EOF. When a fast server
// answers before net/http has made its final read of the body, net/http
// takes that io.EOF for a body read error and closes the connection while
// the response body is still being read ("use of closed network
// connection"). A plain Read after close returns (0, io.EOF), which net/http
// handles.
func ShieldBody(c aws.HTTPClient) aws.HTTPClient {
	if c == nil {
		c = awshttp.NewBuildableClient()
	}
	return shield{c}
}

type shield struct{ next aws.HTTPClient }

func (s shield) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return s.next.Do(req)
}
