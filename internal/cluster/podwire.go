package cluster

import (
	"bytes"
	"slices"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// A pod as the API server sends it is mostly what the model never reads:
// images, environment, volumes, probes, labels, managed fields, container
// states. Under churn, decoding it is the viewer's largest cost. PodCodecs
// drops those fields from the protobuf bytes before the generated code
// decodes them, so only what transformPod reads is ever allocated. The
// bytes are filtered, never rewritten: what is kept decodes exactly as it
// would have, by the same generated code. Whatever the filter cannot parse
// is decoded whole, as before.

// podAnnotations are the annotations transformPod reads. They are kept on
// the wire with those Kubernetes itself uses (prefix kubeAnnotations: the
// bookmark that ends a watch-list's initial events says so in one); the
// others are dropped.
var podAnnotations = []string{pricing.FargateCapacityAnnotation, karpenter.AnnotationDoNotDisrupt}

const kubeAnnotations = "k8s.io/"

// keptAnnotation reports whether the wire filter keeps annotation k.
func keptAnnotation(k []byte) bool {
	return bytes.HasPrefix(k, []byte(kubeAnnotations)) ||
		slices.ContainsFunc(podAnnotations, func(a string) bool { return string(k) == a })
}

// wireMsg says which fields of one protobuf message are kept (field
// numbers from k8s.io/api's generated.proto). Fields it does not name are
// dropped.
type wireMsg struct {
	keep [64]wireField
}

// wireField is how a kept field is kept: as is (sub and accept nil), as a
// message filtered by sub, or only when accept says so of its bytes.
type wireField struct {
	kept   bool
	sub    *wireMsg
	accept func(msg []byte) bool
}

func msgOf(fields map[protowire.Number]wireField) *wireMsg {
	m := &wireMsg{}
	for n, f := range fields {
		f.kept = true
		m.keep[n] = f
	}
	return m
}

var (
	whole = wireField{}

	// A container's resources: the requests (not the limits or claims).
	wireRequests = msgOf(map[protowire.Number]wireField{2: whole})
	// Containers: their name (to find their status), requests and
	// restart policy (sidecars).
	wireContainer = msgOf(map[protowire.Number]wireField{1: whole, 8: {sub: wireRequests}, 24: whole})
	// Container statuses: the name and what the kubelet allocated and
	// applied (in-place resize).
	wireContainerStatus = msgOf(map[protowire.Number]wireField{1: whole, 10: whole, 11: {sub: wireRequests}})

	wireObjectMeta = msgOf(map[protowire.Number]wireField{
		1: whole, 3: whole, 5: whole, 6: whole, // name, namespace, uid, resourceVersion
		8: whole, 9: whole, 10: whole, // creation, deletion, its grace period
		12: {accept: firstFieldIs(keptAnnotation)}, // annotations
		13: whole,                                  // ownerReferences
	})
	wirePodSpec = msgOf(map[protowire.Number]wireField{
		2: {sub: wireContainer}, 20: {sub: wireContainer}, // containers, initContainers
		10: whole, 32: whole, 40: whole, // nodeName, overhead, pod-level resources
	})
	wirePodStatus = msgOf(map[protowire.Number]wireField{
		1: whole,                                   // phase
		2: {accept: firstFieldIs(isResizePending)}, // conditions
		7: whole,                                   // startTime
		8: {sub: wireContainerStatus}, 10: {sub: wireContainerStatus},
		14: whole, 19: whole, 20: whole, 21: whole, // resize, pod-level allocated and applied resources, DRA node allocations
	})
	wirePod     = msgOf(map[protowire.Number]wireField{1: {sub: wireObjectMeta}, 2: {sub: wirePodSpec}, 3: {sub: wirePodStatus}})
	wirePodList = msgOf(map[protowire.Number]wireField{1: whole, 2: {sub: wirePod}})
	// wireUnknown is runtime.Unknown, the envelope: typeMeta, raw,
	// contentEncoding, contentType (raw is handled by slimPodBytes).
	wireUnknown = msgOf(map[protowire.Number]wireField{1: whole, 3: whole, 4: whole})
)

// firstFieldIs accepts a message whose string field 1 (a map entry's key,
// a condition's type) ok accepts. It reads the bytes in place: this runs
// for every annotation and condition of every pod event.
func firstFieldIs(ok func([]byte) bool) func([]byte) bool {
	return func(msg []byte) bool {
		v, found := bytesField(msg, 1)
		return found && ok(v)
	}
}

// isResizePending: the one condition the requests read (an infeasible
// resize).
func isResizePending(t []byte) bool { return string(t) == string(corev1.PodResizePending) }

// bytesField returns the last value of length-delimited field num of msg
// (a slice of msg).
func bytesField(msg []byte, num protowire.Number) ([]byte, bool) {
	var out []byte
	found := false
	for len(msg) > 0 {
		n, typ, field, v := nextField(msg)
		if field == nil {
			return nil, false
		}
		msg = msg[len(field):]
		if n == num && typ == protowire.BytesType {
			out, found = v, true
		}
	}
	return out, found
}

// nextField reads the field msg starts with: its number and type, the
// whole field (tag and value; nil when msg does not start with a
// well-formed field) and, for a length-delimited one, its bytes.
func nextField(msg []byte) (num protowire.Number, typ protowire.Type, field, val []byte) {
	num, typ, tl := protowire.ConsumeTag(msg)
	if tl < 0 {
		return 0, 0, nil, nil
	}
	vl := protowire.ConsumeFieldValue(num, typ, msg[tl:])
	if vl < 0 {
		return 0, 0, nil, nil
	}
	field = msg[:tl+vl]
	if typ == protowire.BytesType {
		val, _ = protowire.ConsumeBytes(field[tl:])
	}
	return num, typ, field, val
}

// filter appends to dst the fields of src that m keeps; false when src is
// not a well-formed message.
func (m *wireMsg) filter(dst, src []byte) ([]byte, bool) {
	for len(src) > 0 {
		num, typ, field, v := nextField(src)
		if field == nil {
			return dst, false
		}
		src = src[len(field):]
		if num >= protowire.Number(len(m.keep)) || !m.keep[num].kept {
			continue
		}
		f := m.keep[num]
		if f.sub == nil && f.accept == nil {
			dst = append(dst, field...)
			continue
		}
		if typ != protowire.BytesType {
			return dst, false
		}
		if f.accept != nil {
			if f.accept(v) {
				dst = append(dst, field...)
			}
			continue
		}
		var ok bool
		if dst, ok = appendFiltered(dst, num, v, f.sub); !ok {
			return dst, false
		}
	}
	return dst, true
}

// appendFiltered appends field num holding msg filtered by sub. The
// length goes before the filtered bytes, which are written first: room for
// the longest varint a filtered length can take (no longer than msg's) is
// left, then the bytes are moved down to close the gap.
func appendFiltered(dst []byte, num protowire.Number, msg []byte, sub *wireMsg) ([]byte, bool) {
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	room := protowire.SizeVarint(uint64(len(msg)))
	at := len(dst)
	dst = append(dst, make([]byte, room)...)
	dst, ok := sub.filter(dst, msg)
	if !ok {
		return dst, false
	}
	n := len(dst) - at - room
	lenBytes := protowire.AppendVarint(nil, uint64(n))
	copy(dst[at:], lenBytes)
	if gap := room - len(lenBytes); gap > 0 {
		copy(dst[at+len(lenBytes):], dst[at+room:])
		dst = dst[:len(dst)-gap]
	}
	return dst, true
}

// protoPrefix starts every Kubernetes protobuf encoding (then a
// runtime.Unknown).
var protoPrefix = []byte{'k', '8', 's', 0}

// slimPodBytes returns data, an encoded Pod or PodList of core/v1, with
// what the model does not read dropped; ok is false (and data should be
// decoded as it is) for anything else or anything it cannot parse.
func slimPodBytes(dst, data []byte) (out []byte, ok bool) {
	if !bytes.HasPrefix(data, protoPrefix) {
		return nil, false
	}
	env := data[len(protoPrefix):]
	var kind *wireMsg
	var raw []byte
	for rest := env; len(rest) > 0; {
		num, typ, field, v := nextField(rest)
		if field == nil {
			return nil, false
		}
		rest = rest[len(field):]
		if typ == protowire.BytesType {
			switch num {
			case 1: // typeMeta: apiVersion = 1, kind = 2
				api, _ := bytesField(v, 1)
				k, _ := bytesField(v, 2)
				switch {
				case string(api) != "v1":
				case string(k) == "Pod":
					kind = wirePod
				case string(k) == "PodList":
					kind = wirePodList
				}
			case 2:
				raw = v
			case 3, 4: // raw in another encoding: not ours to filter
				if len(v) > 0 {
					return nil, false
				}
			}
		}
	}
	if kind == nil || raw == nil {
		return nil, false
	}
	dst = append(dst[:0], protoPrefix...)
	dst, ok = wireUnknown.filter(dst, env)
	if !ok {
		return nil, false
	}
	if dst, ok = appendFiltered(dst, 2, raw, kind); !ok {
		return nil, false
	}
	return dst, true
}

// PodCodecs wraps the client's serializers so that the pods it decodes from
// protobuf carry only what the model reads (see slimPodBytes); every other
// object, and JSON, decodes as before. Only for a client whose pods go to
// the model: a pod read through it lacks its images, labels, volumes, etc.
func PodCodecs(base runtime.NegotiatedSerializer) runtime.NegotiatedSerializer {
	return podCodecs{base}
}

type podCodecs struct{ runtime.NegotiatedSerializer }

func (c podCodecs) SupportedMediaTypes() []runtime.SerializerInfo {
	infos := slices.Clone(c.NegotiatedSerializer.SupportedMediaTypes())
	for i := range infos {
		if infos[i].MediaType == runtime.ContentTypeProtobuf && infos[i].Serializer != nil {
			infos[i].Serializer = slimPods{infos[i].Serializer}
		}
	}
	return infos
}

// slimPods is a protobuf serializer that decodes pods slimmed.
type slimPods struct{ runtime.Serializer }

// slimBuffers hold the filtered bytes while they are decoded (the decoded
// object copies what it keeps); a buffer over maxPooled (a page of a list)
// is left to the collector.
const maxPooled = 64 << 10

var slimBuffers = sync.Pool{New: func() any { return new([]byte) }}

func (s slimPods) Decode(data []byte, defaults *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	buf := slimBuffers.Get().(*[]byte)
	defer slimBuffers.Put(buf)
	if slim, ok := slimPodBytes(*buf, data); ok {
		if cap(slim) <= maxPooled {
			*buf = slim[:0]
		}
		data = slim
	}
	return s.Serializer.Decode(data, defaults, into)
}
