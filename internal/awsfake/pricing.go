package awsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// product is one price-list document with the fields filters match on.
type product struct {
	fields  map[string]string // lower-cased field name -> value
	raw     string
	garbage bool // not JSON: matches every query for its service
}

// AddProducts adds price-list documents (the JSON strings of a GetProducts
// PriceList). To serve garbage, prefix a non-JSON document with its service
// code: "AmazonEC2:{not json" is returned as "{not json" to every AmazonEC2
// query.
func (s *Server) AddProducts(docs ...string) error {
	ps := make([]product, 0, len(docs))
	for _, raw := range docs {
		p, err := parseProduct(raw)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products = append(s.products, ps...)
	return nil
}

// LoadPricing adds the PriceList of GetProducts response bodies (files in
// testdata/aws, one page each).
func (s *Server) LoadPricing(paths ...string) error {
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var page struct{ PriceList []string }
		if err := json.Unmarshal(b, &page); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		// A garbage entry answers the same queries as the record before it
		// on the page (or the first one).
		var ps []product
		var ref *product
		for _, raw := range page.PriceList {
			p, err := parseProduct(raw)
			if err != nil {
				continue
			}
			ref = &p
			break
		}
		for _, raw := range page.PriceList {
			p, err := parseProduct(raw)
			switch {
			case err == nil:
				ref = &p
			case ref == nil:
				return fmt.Errorf("%s: %w", path, err)
			default:
				p = product{fields: ref.fields, raw: raw}
			}
			ps = append(ps, p)
		}
		s.mu.Lock()
		s.products = append(s.products, ps...)
		s.mu.Unlock()
	}
	return nil
}

// ClearProducts removes every price-list document.
func (s *Server) ClearProducts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products = nil
}

func parseProduct(raw string) (product, error) {
	var doc struct {
		ServiceCode string `json:"serviceCode"`
		Product     struct {
			ProductFamily string            `json:"productFamily"`
			Attributes    map[string]string `json:"attributes"`
		} `json:"product"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		service, rest, ok := strings.Cut(raw, ":")
		if !ok || strings.ContainsAny(service, "{\" ") {
			return product{}, fmt.Errorf("price list document is not JSON and has no \"Service:\" prefix: %.40q", raw)
		}
		return product{fields: map[string]string{"servicecode": service}, raw: rest, garbage: true}, nil
	}
	fields := map[string]string{}
	for k, v := range doc.Product.Attributes {
		fields[strings.ToLower(k)] = v
	}
	fields["servicecode"] = doc.ServiceCode
	if doc.Product.ProductFamily != "" {
		fields["productfamily"] = doc.Product.ProductFamily
	}
	return product{fields: fields, raw: raw}, nil
}

type filter struct{ Type, Field, Value string }

func (p product) matches(service string, filters []filter) bool {
	if !strings.EqualFold(p.fields["servicecode"], service) {
		return false
	}
	if p.garbage {
		return true
	}
	for _, f := range filters {
		v, ok := p.fields[strings.ToLower(f.Field)]
		if !ok || !strings.EqualFold(v, f.Value) {
			return false
		}
	}
	return true
}

func (s *Server) getProducts(r *http.Request, call *Call) (int, []byte) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return jsonError(http.StatusBadRequest, "InvalidParameterException", err.Error())
	}
	var in struct {
		ServiceCode string
		Filters     []filter
		MaxResults  int
		NextToken   string
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return jsonError(http.StatusBadRequest, "SerializationException", err.Error())
	}
	call.ServiceCode, call.NextToken = in.ServiceCode, in.NextToken
	call.Filters = map[string]string{}
	for _, f := range in.Filters {
		call.Filters[f.Field] = f.Value
		if f.Type != "TERM_MATCH" && f.Type != "EQUALS" {
			return jsonError(http.StatusBadRequest, "InvalidParameterException", "unsupported filter type "+f.Type)
		}
	}
	if in.ServiceCode == "" {
		return jsonError(http.StatusBadRequest, "InvalidParameterException", "ServiceCode is required")
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return jsonError(http.StatusBadRequest, "InvalidParameterException", "MaxResults must be between 1 and 100")
	}
	offset, ok := decodeToken(in.NextToken)
	if !ok {
		return jsonError(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken is invalid")
	}

	s.mu.Lock()
	size := in.MaxResults
	if size == 0 {
		size = 100
	}
	if s.pricingPage > 0 && s.pricingPage < size {
		size = s.pricingPage
	}
	var matched []string
	for _, p := range s.products {
		if p.matches(in.ServiceCode, in.Filters) {
			matched = append(matched, p.raw)
		}
	}
	s.mu.Unlock()

	if f := s.fault(GetProducts, in.ServiceCode, pageOf(offset, size)); f != nil {
		call.Error = f.Code
		return pricingFault(f)
	}
	if offset > len(matched) {
		return jsonError(http.StatusBadRequest, "InvalidNextTokenException", "The NextToken is invalid")
	}
	end := min(offset+size, len(matched))
	out := struct {
		FormatVersion string
		NextToken     string `json:",omitempty"`
		PriceList     []string
	}{FormatVersion: "aws_v1", PriceList: matched[offset:end]}
	if out.PriceList == nil {
		out.PriceList = []string{}
	}
	if end < len(matched) {
		out.NextToken = encodeToken(end)
	}
	body, _ := json.Marshal(out)
	return http.StatusOK, body
}

func pricingFault(f *Fault) (int, []byte) {
	status, msg := http.StatusBadRequest, f.Message
	switch f.Code {
	case "ThrottlingException":
		if msg == "" {
			msg = "Rate exceeded"
		}
	case "AccessDeniedException":
		if msg == "" {
			msg = "User: arn:aws:iam::123456789012:user/viewer is not authorized to perform: pricing:GetProducts because no identity-based policy allows the pricing:GetProducts action"
		}
	case "InternalErrorException", "ServiceUnavailableException":
		status = http.StatusInternalServerError
	}
	if msg == "" {
		msg = f.Code
	}
	return jsonError(status, f.Code, msg)
}
