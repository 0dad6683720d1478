package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksnodeviewer/eks-node-viewer/internal/awsfake"
	"github.com/eksnodeviewer/eks-node-viewer/pricing/internal/table"
)

const sharedCapture = `{
 "generated_at": {"us-east-1": "2026-07-20T13:44:30Z", "us-gov-west-1": "2026-07-20T13:44:38Z", "cn-north-1": "2024-11-06T01:00:11Z"},
 "regions": {
  "us-east-1": {"m5.large": 0.096, "t3a.medium": 0.0376},
  "us-gov-west-1": {"m5.large": 0.121},
  "cn-north-1": {"c5.large": 0.739}
 },
 "source": "test capture",
 "unit": "currency per instance-hour"
}`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTable(t *testing.T, path string) *table.Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := table.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// noAWS makes the SDK find no credentials and no config.
func noAWS(t *testing.T) {
	for _, kv := range []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=", "AWS_WEB_IDENTITY_TOKEN_FILE=", "AWS_REGION=us-east-1"} {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

func TestOffline(t *testing.T) {
	noAWS(t)
	dir := t.TempDir()
	shared := writeFile(t, dir, "shared.json", sharedCapture)
	out := filepath.Join(dir, "ondemand.json")
	var log bytes.Buffer
	if err := run(context.Background(), []string{"-shared", shared, "-out", out}, &log); err != nil {
		t.Fatalf("%v\n%s", err, &log)
	}
	tb := readTable(t, out)
	if got := tb.RegionNames(); strings.Join(got, ",") != "cn-north-1,us-east-1,us-gov-west-1" {
		t.Errorf("regions = %v", got)
	}
	if r := tb.Regions["cn-north-1"]; r.Currency != "CNY" || r.Prices["c5.large"] != 0.739 || r.Captured.Year() != 2024 {
		t.Errorf("cn-north-1 = %+v", r)
	}
	if !strings.Contains(log.String(), "no live prices") {
		t.Errorf("log does not say why it is offline:\n%s", &log)
	}

	// A clone without the shared capture starts from the current table.
	again := filepath.Join(dir, "again.json")
	b, _ := os.ReadFile(out)
	writeFile(t, dir, "again.json", string(b))
	if err := run(context.Background(), []string{"-shared", filepath.Join(dir, "missing.json"), "-out", again, "-live", "never", "-regions", "us-east-1"}, &log); err != nil {
		t.Fatal(err)
	}
	if got := readTable(t, again); len(got.Regions) != 1 || got.Regions["us-east-1"].Prices["m5.large"] != 0.096 {
		t.Errorf("regenerated from the table: %+v", got.Regions)
	}

	if err := run(context.Background(), []string{"-shared", shared, "-out", out, "-live", "never", "-regions", "eu-west-1"}, &log); err == nil {
		t.Error("a region with no data and no live prices did not fail")
	}
	if err := run(context.Background(), []string{"-shared", shared, "-out", out, "-live", "always"}, &log); err == nil {
		t.Error("-live always without credentials did not fail")
	}
}

func TestLive(t *testing.T) {
	noAWS(t)
	srv := awsfake.New()
	defer srv.Close()
	if err := srv.LoadDir("../../../testdata/aws"); err != nil {
		t.Fatal(err)
	}
	srv.SetPageSize(3, 0)
	for _, kv := range srv.Env("us-east-1") {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	shared := writeFile(t, dir, "shared.json", sharedCapture)
	out := filepath.Join(dir, "ondemand.json")
	var log bytes.Buffer
	args := []string{"-shared", shared, "-out", out, "-regions", "us-east-1,us-west-2,us-gov-west-1,cn-north-1"}
	if err := run(context.Background(), args, &log); err != nil {
		t.Fatalf("%v\n%s", err, &log)
	}
	tb := readTable(t, out)
	use1 := tb.Regions["us-east-1"]
	if use1.Source != liveSource || use1.Prices["m5.metal"] != 4.608 || use1.Prices["t3.micro"] != 0.0104 || len(use1.Prices) != 10 {
		t.Errorf("us-east-1 = %+v", use1)
	}
	if _, ok := use1.Prices["m5.2xlarge"]; ok {
		t.Error("zero price written")
	}
	if tb.Regions["us-west-2"].Prices["c5.large"] != 0.085 {
		t.Errorf("us-west-2 = %+v", tb.Regions["us-west-2"])
	}
	if r := tb.Regions["cn-north-1"]; r.Currency != "CNY" || r.Source != liveSource || r.Prices["m5.large"] != 1.013 {
		t.Errorf("cn-north-1 = %+v", r)
	}
	if r := tb.Regions["us-gov-west-1"]; r.Source != "test capture" {
		t.Errorf("GovCloud not kept from the capture: %+v", r)
	}
	for _, c := range srv.CallsTo(awsfake.GetProducts) {
		if c.Filters["regionCode"] == "us-gov-west-1" {
			t.Error("GovCloud asked of the Pricing API")
		}
		if c.SigningRegion == "" {
			t.Error("unsigned request")
		}
	}

	// A failing region keeps its captured prices.
	srv.Fail(awsfake.Fault{Op: awsfake.GetProducts, Code: "AccessDeniedException"})
	log.Reset()
	if err := run(context.Background(), []string{"-shared", shared, "-out", out, "-regions", "us-east-1"}, &log); err != nil {
		t.Fatal(err)
	}
	if r := readTable(t, out).Regions["us-east-1"]; r.Source != "test capture" || !strings.Contains(log.String(), "AccessDeniedException") {
		t.Errorf("after a denied fetch: %+v\n%s", r, &log)
	}
}
