package transfer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// liveTokens holds the tokens of the partial directories this process owns.
var liveTokens sync.Map

// owner is the ownership of one partial directory.
type owner struct {
	dir    string // the directory, named after its owner
	prefix string // path prefix of every partial directory of the destination
	token  string
	every  time.Duration // heartbeat period
	stop   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// partialPrefix returns the path prefix of dest's partial directories:
// atomicfile temp names, so that cleaners of stale temps recognise them.
func partialPrefix(dest string) string {
	return filepath.Join(filepath.Dir(dest), atomicfile.TempPrefix(dest)+"dl-")
}

// acquire returns the ownership of a partial directory for dest: a dead
// owner's, taken over, or a new one. It waits while a live owner holds one;
// waited reports that it did.
func acquire(ctx context.Context, dest string, o *Options) (own *owner, waited bool, err error) {
	own = &owner{prefix: partialPrefix(dest), token: newToken(), every: o.StaleAfter / 4, stop: make(chan struct{})}
	liveTokens.Store(own.token, true)
	own.dir = own.prefix + own.token + "-" + strconv.Itoa(os.Getpid()) + "-" + hostname()
	poll := max(min(o.StaleAfter/8, 200*time.Millisecond), 10*time.Millisecond)
	for {
		dead, live := scanPartials(own.prefix, o.StaleAfter)
		if own.takeOver(dead) {
			return own, waited, nil
		}
		if !live {
			if err := os.Mkdir(own.dir, 0o755); err != nil {
				liveTokens.Delete(own.token)
				return nil, false, fmt.Errorf("transfer: %w", err)
			}
			return own, waited, nil
		}
		waited = true
		if err := sleep(ctx, poll); err != nil {
			liveTokens.Delete(own.token)
			return nil, false, err
		}
	}
}

// takeOver renames the first dead partial directory it can to own.dir and
// removes the other dead ones. It reports whether it took one over.
func (own *owner) takeOver(dead []string) bool {
	for i, d := range dead {
		if os.Rename(d, own.dir) != nil {
			continue // another caller took it first
		}
		now := time.Now()
		os.Chtimes(own.dir, now, now)
		for _, other := range dead[i+1:] {
			trash := own.prefix + "rm-" + newToken()
			if os.Rename(other, trash) == nil {
				os.RemoveAll(trash)
			}
		}
		return true
	}
	return false
}

// scanPartials lists dest's partial directories: the dead ones, and whether
// any is alive.
func scanPartials(prefix string, staleAfter time.Duration) (dead []string, live bool) {
	matches, _ := filepath.Glob(globEscape(prefix) + "*")
	for _, p := range matches {
		token, pid, host, ok := parseOwner(strings.TrimPrefix(p, prefix))
		if !ok {
			continue
		}
		if ownerAlive(p, token, pid, host, staleAfter) {
			live = true
		} else {
			dead = append(dead, p)
		}
	}
	return dead, live
}

// ownerAlive reports whether the partial directory p still has a live owner.
func ownerAlive(p, token string, pid int, host string, staleAfter time.Duration) bool {
	if pid == 0 {
		return false // released
	}
	if host == hostname() {
		if pid == os.Getpid() {
			_, ok := liveTokens.Load(token)
			return ok
		}
		if !pidAlive(pid) {
			return false
		}
	}
	st, err := os.Stat(p)
	return err == nil && time.Since(st.ModTime()) < staleAfter
}

// parseOwner parses "<token>-<pid>-<host>".
func parseOwner(name string) (token string, pid int, host string, ok bool) {
	token, rest, ok1 := strings.Cut(name, "-")
	pidText, host, ok2 := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidText)
	return token, pid, host, ok1 && ok2 && err == nil && len(token) == 16
}

// watch starts the heartbeat: the directory's mtime is touched every
// own.every; lost is called once if the directory is gone (taken over).
func (own *owner) watch(lost func()) {
	own.wg.Go(func() {
		t := time.NewTicker(own.every)
		defer t.Stop()
		for {
			select {
			case <-own.stop:
				return
			case now := <-t.C:
				if err := os.Chtimes(own.dir, now, now); errors.Is(err, os.ErrNotExist) {
					lost()
					return
				}
			}
		}
	})
}

// end stops the heartbeat and forgets the token.
func (own *owner) end() {
	own.once.Do(func() { close(own.stop) })
	own.wg.Wait()
	liveTokens.Delete(own.token)
}

// release gives the directory up for the next caller: renamed to a free
// name, which any caller may take over at once.
func (own *owner) release() {
	own.end()
	os.Rename(own.dir, own.prefix+own.token+"-0-")
}

// remove deletes the directory.
func (own *owner) remove() {
	own.end()
	os.RemoveAll(own.dir)
}

// path returns the path of name inside the directory.
func (own *owner) path(name string) string { return filepath.Join(own.dir, name) }

func newToken() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// hostname returns the host name reduced to characters safe in a file name.
var hostname = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	h = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return -1
	}, h)
	if len(h) > 40 {
		h = h[:40]
	}
	return h
})

// globEscape escapes the glob metacharacters of p.
func globEscape(p string) string {
	return strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`).Replace(p)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
