package hubtest

import "net/http"

// CutCDN makes the CDN's next answers lose their connection: the i-th
// next answer sends after[i] bytes of its body and is cut.
func (s *Server) CutCDN(after ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cuts = append(s.cuts, after...)
}

// CDNBytes returns how many body bytes the CDN has sent.
func (s *Server) CDNBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}

// cutWriter returns w counting the body bytes it sends, and cutting the
// connection after the next limit CutCDN asked for.
func (s *Server) cutWriter(w http.ResponseWriter, r *http.Request) *counter {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &counter{ResponseWriter: w, s: s, r: r, left: -1}
	if len(s.cuts) > 0 {
		c.left, s.cuts = s.cuts[0], s.cuts[1:]
	}
	return c
}

// counter counts a body's bytes and cuts it after left bytes (never when
// left < 0).
type counter struct {
	http.ResponseWriter
	s    *Server
	r    *http.Request
	left int64
}

func (c *counter) Write(p []byte) (int, error) {
	cut := c.left >= 0 && int64(len(p)) > c.left
	if cut {
		p = p[:c.left]
	}
	c.s.wait(c.r, len(p))
	n, err := c.ResponseWriter.Write(p)
	c.s.mu.Lock()
	c.s.served += int64(n)
	c.s.mu.Unlock()
	if c.left >= 0 {
		c.left -= int64(n)
	}
	if cut {
		http.NewResponseController(c.ResponseWriter).Flush()
		panic(http.ErrAbortHandler) // the connection is closed mid-body
	}
	return n, err
}

// pause holds the CDN's answers once it has sent at bytes.
type pause struct {
	at      int64
	paused  chan struct{} // closed when an answer first waits
	resumed chan struct{} // closed by the resume function
	waiting bool
}

// PauseCDN makes the CDN stop sending once it has sent at body bytes in
// all: its answers then wait until the returned resume function is
// called, or until their request is cancelled. The returned channel is
// closed when the first answer waits.
func (s *Server) PauseCDN(at int64) (paused <-chan struct{}, resume func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &pause{at: at, paused: make(chan struct{}), resumed: make(chan struct{})}
	s.pause = p
	return p.paused, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.pause == p {
			s.pause = nil
			close(p.resumed)
		}
	}
}

// wait returns once the CDN may send n more bytes: at once while the bytes
// sent stay within a pause's limit, else when the pause ends. A request
// cancelled meanwhile aborts its answer.
func (s *Server) wait(r *http.Request, n int) {
	s.mu.Lock()
	p := s.pause
	if p == nil || s.served+int64(n) <= p.at {
		s.mu.Unlock()
		return
	}
	if !p.waiting {
		p.waiting = true
		close(p.paused)
	}
	s.mu.Unlock()
	select {
	case <-p.resumed:
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	}
}
