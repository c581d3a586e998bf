package ocimanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	orasreg "oras.land/oras-go/v2/registry"

	"github.com/modelreg/modelreg/internal/redact"
	"github.com/modelreg/modelreg/registry"
)

// Type is the manager type this package registers.
const Type = "oci"

func init() { registry.RegisterManager(Type, open) }

// Config is a manifest entry's manager config.
type Config struct {
	// Reference names the artifact: "HOST[:PORT]/REPO:TAG",
	// "HOST/REPO@sha256:<hex>" or "HOST/REPO:TAG@sha256:<hex>" (the digest
	// wins; the tag stays for people). No tag means "latest".
	Reference string `json:"reference"`
	// PlainHTTP talks HTTP instead of HTTPS. Loopback hosts (localhost,
	// 127.0.0.0/8, ::1) use plain HTTP without it, as container tools do.
	PlainHTTP bool `json:"plain_http,omitempty"`
	// MediaType is the media type of the layers Upload pushes; "" means
	// [MediaTypeWeightRaw]. When pulling from an artifact whose layers
	// carry no title (Docker Model Runner's), it also selects the model's
	// layer: the only one of this type.
	MediaType string `json:"media_type,omitempty"`
}

// open is the [registry.OpenFunc] of the "oci" type.
func open(ctx context.Context, env *registry.ManagerEnv) (registry.Manager, string, error) {
	var c Config
	if err := json.Unmarshal(env.Config, &c); err != nil {
		return nil, "", invalid("config: %v", err)
	}
	repo, key, err := ParseReference(c.Reference)
	if err != nil {
		return nil, "", err
	}
	opts := &Options{Client: env.HTTPClient, PlainHTTP: c.PlainHTTP, MediaType: c.MediaType, Logger: env.Logger, Model: env.Model}
	m, err := New(repo, opts)
	if err != nil {
		return nil, "", err
	}
	return m, key, nil
}

// ParseReference splits an artifact reference into the repository
// ("HOST[:PORT]/REPO") and the key of the artifact in it: its digest when
// the reference has one, else its tag ("latest" when none). It does no I/O.
func ParseReference(ref string) (repo, key string, err error) {
	if ref == "" {
		return "", "", invalid(`config needs a "reference" (HOST/REPO:TAG or HOST/REPO@sha256:...)`)
	}
	if host, _, _ := strings.Cut(ref, "/"); strings.Contains(host, "@") {
		return "", "", invalid("reference %s: credentials do not belong in a reference (use docker login or oras login)",
			redact.Mask+host[strings.LastIndex(host, "@"):])
	}
	r, err := orasreg.ParseReference(ref)
	if err != nil {
		return "", "", invalid("reference %q: %v", ref, err)
	}
	return r.Registry + "/" + r.Repository, r.ReferenceOrDefault(), nil
}

// checkHost checks a reference's registry host: a name or an address,
// with an optional port in 1..65535 (an IPv6 address in brackets).
func checkHost(h string) error {
	host, port, hasPort := h, "", false
	switch {
	case strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]"):
		host = h[1 : len(h)-1]
	case strings.Contains(h, ":"):
		var err error
		if host, port, err = net.SplitHostPort(h); err != nil {
			return err
		}
		hasPort = true
	}
	if host == "" {
		return errors.New("no host")
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return fmt.Errorf("%q is not an IPv6 address", host)
	}
	if hasPort {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q is not in 1..65535", port)
		}
	}
	return nil
}

// isLoopback reports whether host (with an optional port) is a loopback
// name or address.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pinned returns config (a manager config object) with its "reference"
// naming repo by tag and digest, its other members kept.
func pinned(config json.RawMessage, repo, tag, digest string) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(config, &obj); err != nil || obj == nil {
		obj = map[string]json.RawMessage{}
	}
	ref := repo + "@" + digest
	if tag != "" && !strings.HasPrefix(tag, "sha256:") {
		ref = repo + ":" + tag + "@" + digest
	}
	b, _ := json.Marshal(ref)
	obj["reference"] = b
	return json.Marshal(obj)
}
