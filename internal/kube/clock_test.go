package kube

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

func TestServerClockFollowsTheDateHeader(t *testing.T) {
	ahead := 20 * time.Minute
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(ahead).UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
	}))
	defer srv.Close()
	c, err := NewClients(&rest.Config{Host: srv.URL}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c.Clock.Known() || c.Clock.Offset() != 0 {
		t.Fatal("an offset before any answer")
	}
	if _, err := c.Kube.Discovery().ServerVersion(); err != nil {
		t.Fatal(err)
	}
	if off := c.Clock.Offset(); !c.Clock.Known() || (off-ahead).Abs() > 2*time.Second {
		t.Fatalf("offset %v, want about %v", off, ahead)
	}
	if d := c.Clock.Now().Sub(time.Now().Add(ahead)); d.Abs() > 2*time.Second {
		t.Errorf("Now is %v off the server's clock", d)
	}
	// Behind, too.
	ahead = -5 * time.Minute
	if _, err := c.Kube.Discovery().ServerVersion(); err != nil {
		t.Fatal(err)
	}
	if off := c.Clock.Offset(); (off - ahead).Abs() > 2*time.Second {
		t.Errorf("offset %v, want about %v", off, ahead)
	}
}

func TestServerClockIgnoresJitterAndBadDates(t *testing.T) {
	var c ServerClock
	now := time.Now()
	c.observe(now.UTC().Format(http.TimeFormat), now, now)
	first := c.Offset()
	c.observe(now.Add(600*time.Millisecond).UTC().Format(http.TimeFormat), now, now)
	if c.Offset() != first {
		t.Errorf("a sub-second change moved the offset: %v -> %v", first, c.Offset())
	}
	c.observe("not a date", now, now)
	if c.Offset() != first {
		t.Error("a bad Date moved the offset")
	}
}
