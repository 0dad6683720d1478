package awsfake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SpotRecord is one row of spot price history.
type SpotRecord struct {
	InstanceType       string
	Zone               string
	ProductDescription string // default "Linux/UNIX"
	Price              string // as sent: "0.038500" (garbage allowed)
	Timestamp          time.Time
}

// AddSpot adds spot price history.
func (s *Server) AddSpot(recs ...SpotRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		if r.ProductDescription == "" {
			r.ProductDescription = "Linux/UNIX"
		}
		s.spot = append(s.spot, r)
	}
}

// ClearSpot removes all spot price history.
func (s *Server) ClearSpot() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spot = nil
}

// LoadSpot adds the items of DescribeSpotPriceHistory response bodies (files
// in testdata/aws, one page each).
func (s *Server) LoadSpot(paths ...string) error {
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var page spotResponse
		if err := xml.Unmarshal(b, &page); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, it := range page.Items {
			ts, err := time.Parse(time.RFC3339, it.Timestamp)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			s.AddSpot(SpotRecord{InstanceType: it.InstanceType, Zone: it.AvailabilityZone, ProductDescription: it.ProductDescription, Price: it.SpotPrice, Timestamp: ts})
		}
	}
	return nil
}

type spotItem struct {
	InstanceType       string `xml:"instanceType"`
	ProductDescription string `xml:"productDescription"`
	SpotPrice          string `xml:"spotPrice"`
	Timestamp          string `xml:"timestamp"`
	AvailabilityZone   string `xml:"availabilityZone"`
}

type spotResponse struct {
	XMLName   xml.Name   `xml:"DescribeSpotPriceHistoryResponse"`
	Xmlns     string     `xml:"xmlns,attr"`
	RequestID string     `xml:"requestId"`
	Items     []spotItem `xml:"spotPriceHistorySet>item"`
	NextToken string     `xml:"nextToken"`
}

func (s *Server) ec2(r *http.Request, call *Call) (int, []byte) {
	if err := r.ParseForm(); err != nil {
		return xmlError(http.StatusBadRequest, "MalformedQueryString", err.Error())
	}
	call.Form = r.PostForm
	call.Op = r.PostForm.Get("Action")
	if call.Op != DescribeSpotPriceHistory {
		return xmlError(http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", call.Op))
	}
	form := r.PostForm
	call.NextToken = form.Get("NextToken")
	types := list(form, "InstanceType")
	products := list(form, "ProductDescription")
	zone := form.Get("AvailabilityZone")
	size := 1000
	if v := form.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 1000 {
			return xmlError(http.StatusBadRequest, "InvalidParameterValue", "MaxResults must be between 5 and 1000")
		}
		size = n
	}
	offset, ok := decodeToken(call.NextToken)
	if !ok {
		return xmlError(http.StatusBadRequest, "InvalidNextToken", "The specified token is invalid")
	}
	region := regionOfHost(call.Host)
	if region == "" {
		region = call.SigningRegion
	}

	s.mu.Lock()
	if s.spotPage > 0 && s.spotPage < size {
		size = s.spotPage
	}
	var matched []SpotRecord
	for _, rec := range s.spot {
		if (len(types) == 0 || types[rec.InstanceType]) &&
			(len(products) == 0 || products[rec.ProductDescription]) &&
			(zone == "" || zone == rec.Zone) &&
			(region == "" || strings.HasPrefix(rec.Zone, region)) {
			matched = append(matched, rec)
		}
	}
	s.mu.Unlock()
	// Newest first, like EC2.
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].Timestamp.After(matched[j].Timestamp) })

	if f := s.fault(DescribeSpotPriceHistory, "", pageOf(offset, size)); f != nil {
		call.Error = f.Code
		return ec2Fault(f)
	}
	if offset > len(matched) {
		return xmlError(http.StatusBadRequest, "InvalidNextToken", "The specified token is invalid")
	}
	end := min(offset+size, len(matched))
	out := spotResponse{Xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/", RequestID: "fake-spot"}
	for _, rec := range matched[offset:end] {
		out.Items = append(out.Items, spotItem{
			InstanceType:       rec.InstanceType,
			ProductDescription: rec.ProductDescription,
			SpotPrice:          rec.Price,
			Timestamp:          rec.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"),
			AvailabilityZone:   rec.Zone,
		})
	}
	if end < len(matched) {
		out.NextToken = encodeToken(end)
	}
	body, _ := xml.Marshal(out)
	return http.StatusOK, append([]byte(xml.Header), body...)
}

// list reads an EC2 query list parameter (Name.1, Name.2, ...) as a set.
func list(form map[string][]string, name string) map[string]bool {
	set := map[string]bool{}
	for i := 1; ; i++ {
		v, ok := form[name+"."+strconv.Itoa(i)]
		if !ok {
			return set
		}
		set[v[0]] = true
	}
}

// regionOfHost reads the region from an EC2 endpoint host
// ("ec2.us-east-1.amazonaws.com", "ec2.cn-north-1.amazonaws.com.cn").
func regionOfHost(host string) string {
	rest, ok := strings.CutPrefix(host, "ec2.")
	if !ok {
		return ""
	}
	region, _, _ := strings.Cut(rest, ".")
	return region
}

func ec2Fault(f *Fault) (int, []byte) {
	status, msg := http.StatusBadRequest, f.Message
	switch f.Code {
	case "RequestLimitExceeded":
		status = http.StatusServiceUnavailable
		if msg == "" {
			msg = "Request limit exceeded."
		}
	case "UnauthorizedOperation":
		status = http.StatusForbidden
		if msg == "" {
			msg = "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/viewer is not authorized to perform: ec2:DescribeSpotPriceHistory because no identity-based policy allows the ec2:DescribeSpotPriceHistory action"
		}
	case "AuthFailure":
		status = http.StatusUnauthorized
		if msg == "" {
			msg = "AWS was not able to validate the provided access credentials"
		}
	case "InternalError", "Unavailable":
		status = http.StatusInternalServerError
	}
	if msg == "" {
		msg = f.Code
	}
	return xmlError(status, f.Code, msg)
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
