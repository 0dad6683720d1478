package cluster

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// picker draws choices from the fuzzer's bytes (zeros once they run out).
type picker struct{ data []byte }

func (p *picker) n(k int) int {
	if len(p.data) == 0 || k <= 1 {
		return 0
	}
	b := p.data[0]
	p.data = p.data[1:]
	return int(b) % k
}

// fuzzQuantities is the pool a fuzzed pod's quantities come from: the
// fuzzer's strings (when they parse) and int64s at fuzzer-chosen scales,
// plus the edges of the int64 milli-unit range.
func fuzzQuantities(p *picker, strs []string, ints []int64) []resource.Quantity {
	var pool []resource.Quantity
	for _, s := range strs {
		if q, err := parseQuantity(s); err == nil {
			pool = append(pool, q)
		}
	}
	for _, n := range ints {
		pool = append(pool, *resource.NewScaledQuantity(n, resource.Scale(p.n(48)-21)))
		pool = append(pool, *resource.NewMilliQuantity(n, resource.DecimalSI))
	}
	for _, s := range []string{"0", "1m", "250m", "1", "512Mi", "10P", "1Ei", "9223372036854775807m", "9223372036854775.807", "9223372036854775.808", "8Ei"} {
		pool = append(pool, resource.MustParse(s))
	}
	return pool
}

// fuzzPod builds a pod of podShape from the picker, its quantities from
// pool.
func fuzzPod(p *picker, pool []resource.Quantity, names []corev1.ResourceName) *corev1.Pod {
	list := func() corev1.ResourceList {
		if p.n(8) == 0 {
			return nil
		}
		l := corev1.ResourceList{}
		for _, name := range names {
			if k := p.n(len(pool) + 1); k < len(pool) {
				l[name] = pool[k].DeepCopy()
			}
		}
		return l
	}
	return podShape(p.n, list)
}

// FuzzPodRequests: (quantities from strings go through parseQuantity:
// resource.ParseQuantity itself is not bounded in time; a pod's quantities
// were parsed by the API server and client-go's decoding before us.)
// The model's request sum (the fast path, or the helper
// for pods it hands over) equals the scheduler's helper converted with the
// same saturating conversion, over the whole quantity range. Pods with
// quantities the helper cannot compute in bounded time (|q| >= 1e25 or
// below 1e-12) are compared with the helper on their tamed copy.
func FuzzPodRequests(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, "100m", "1Gi", "2", int64(1), int64(1000))
	f.Add([]byte{0xff, 0x10, 0x20, 0x30}, "10P", "1Ei", "8Ei", int64(math.MaxInt64), int64(math.MinInt64))
	f.Add([]byte{3, 0, 1, 2, 1, 0, 1, 1, 2, 0, 0, 3}, "0.5m", "-1", "1e999999999", int64(-1), int64(9223372036854775))
	f.Add([]byte{5, 4, 3, 2, 1, 0, 0, 0, 0, 7, 7}, "1e-999999999", "123456789012345678901234567890", "9223372036854775807m", int64(7), int64(1<<53))
	names := []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, "nvidia.com/gpu"}
	r := newResources([]string{"cpu", "memory", "nvidia.com/gpu", "pods"})
	f.Fuzz(func(t *testing.T, data []byte, s1, s2, s3 string, n1, n2 int64) {
		p := &picker{data}
		pool := fuzzQuantities(p, []string{s1, s2, s3}, []int64{n1, n2})
		pod := fuzzPod(p, pool, names)

		start := time.Now()
		got := r.podRequests(pod.DeepCopy())
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("podRequests took %v", d)
		}
		want := r.milli(resourcehelper.PodRequests(tamed(pod.DeepCopy()), requestOptions))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %v, want %v\n%+v", got, want, pod)
		}
		if fast, ok := r.fastRequests(pod.DeepCopy()); ok && fmt.Sprint(fast) != fmt.Sprint(want) {
			t.Fatalf("fast path %v, helper %v", fast, want)
		}
		for i, v := range got {
			if v < 0 {
				t.Fatalf("request %s is negative: %d", r.names[i], v)
			}
		}
		// Through the wire, slimmed as the viewer decodes pods: the same.
		wire := encodeProto(t, pod)
		whole, slim := decodePod(t, plainDecoder(t), wire), decodePod(t, slimDecoder(t), wire)
		if a, b := r.podRequests(whole), r.podRequests(slim); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("decoded whole %v, slimmed %v\n%+v", a, b, pod)
		}
	})
}

// FuzzSatMilli: the saturating conversion is the exact milli-value, rounded
// up, clamped to [0, MaxInt64], and it never takes long.
func FuzzSatMilli(f *testing.F) {
	for _, s := range []string{"0", "1m", "0.5m", "-1", "10P", "1Ei", "9223372036854775.807", "9223372036854775.8071", "9223372036854775.808", "1e999999999", "1e-999999999", "0.000000000000001"} {
		f.Add(s, int64(0), int8(0))
	}
	f.Add("", int64(math.MaxInt64), int8(-3))
	f.Add("", int64(math.MinInt64), int8(20))
	f.Fuzz(func(t *testing.T, s string, n int64, scale int8) {
		q := *resource.NewScaledQuantity(n, resource.Scale(scale))
		if s != "" {
			var err error
			if q, err = parseQuantity(s); err != nil {
				return
			}
		}
		start := time.Now()
		got := satMilli(q)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("satMilli(%s) took %v", s, d)
		}
		if got < 0 {
			t.Fatalf("satMilli(%s) = %d", q.String(), got)
		}
		if magnitude(&q) != normal {
			return // its exact value is not computed, by design
		}
		// The exact value, the slow way.
		want := q.AsDec()
		milli := new(resource.Quantity)
		*milli = *resource.NewDecimalQuantity(*want, resource.DecimalSI)
		switch {
		case q.Sign() <= 0:
			if got != 0 {
				t.Fatalf("satMilli(%s) = %d, want 0", q.String(), got)
			}
		case milli.CmpInt64(maxWholeMilli) <= 0:
			if m := milli.MilliValue(); got != m {
				t.Fatalf("satMilli(%s) = %d, want %d", q.String(), got, m)
			}
		case milli.CmpInt64(maxWholeMilli+1) >= 0:
			if got != math.MaxInt64 {
				t.Fatalf("satMilli(%s) = %d, want MaxInt64", q.String(), got)
			}
		default:
			if got < maxWholeMilli*1000 {
				t.Fatalf("satMilli(%s) = %d, below %d", q.String(), got, int64(maxWholeMilli*1000))
			}
		}
	})
}

func TestParseQuantityBounded(t *testing.T) {
	for s, want := range map[string]error{
		"1Ei": nil, "1E": nil, "1e3": nil, "1e+1000": nil, "1e-1000": nil, "1E-0000000000000000000000000000000000000000005": nil,
		"1e-999999999": errQuantityExponent, "1e1001": errQuantityExponent, "1e99999999999999999999999": errQuantityExponent,
		strings.Repeat("1", 65): errQuantityTooLong,
	} {
		start := time.Now()
		if _, err := parseQuantity(s); err != want && (want != nil || err == nil) {
			t.Errorf("parseQuantity(%q) = %v, want %v", s, err, want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("parseQuantity(%q) took %v", s, d)
		}
	}
}
