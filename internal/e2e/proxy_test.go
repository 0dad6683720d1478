//go:build e2e

package e2e

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// proxy is a TCP proxy on 127.0.0.1 in front of the API server, so that a
// test can cut the viewer off (a VPN drop, a control-plane upgrade) and
// restore it. TLS passes through untouched: the client still verifies the
// API server's certificate (its SAN is IP 127.0.0.1, whatever the port).
type proxy struct {
	t      *testing.T
	target string // host:port of the API server
	addr   string // host:port the proxy listens on

	mu       sync.Mutex
	ln       net.Listener          // nil while cut
	conns    map[net.Conn]struct{} // both ends of every open connection
	accepted int
}

// startProxy listens on a free port of 127.0.0.1 and forwards every
// connection to server (an https:// URL or host:port).
func startProxy(t *testing.T, server string) *proxy {
	t.Helper()
	target := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		target = u.Host
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(p.cut)
	t.Logf("proxy %s -> %s", p.addr, target)
	return p
}

// URL is the proxy's address as a kubeconfig server.
func (p *proxy) URL() string { return "https://" + p.addr }

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by cut
			}
			p.mu.Lock()
			if p.ln != ln { // cut between Accept and here
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns[c] = struct{}{}
			p.accepted++
			p.mu.Unlock()
			go p.pipe(c)
		}
	}()
}

func (p *proxy) pipe(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	p.mu.Lock()
	if _, open := p.conns[client]; !open || err != nil { // dropped meanwhile
		p.mu.Unlock()
		client.Close()
		if server != nil {
			server.Close()
		}
		return
	}
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// dropConns closes every open connection (both ends) and keeps listening:
// clients reconnect at once, and their watches make new requests, which the
// API server authenticates and authorizes again.
func (p *proxy) dropConns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
		n++
	}
	return n / 2
}

// cut closes the listener and every open connection: new connections are
// refused until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.mu.Unlock()
	p.dropConns()
}

// restore listens on the same address again.
func (p *proxy) restore() {
	p.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago; retry a busy bind briefly
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen on %s again: %v", p.addr, err)
	}
	p.serve(ln)
}

// connections is how many connections the proxy has accepted so far.
func (p *proxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}
