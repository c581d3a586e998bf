// Package registry is an embedded model registry: it resolves model names
// ("name", "name@version", "name@sha256:<hex>") against the manifest.json files
// on a models search path, downloads models through pluggable managers into
// verified local copies, and manages their life cycle (flush, keep the newest
// N versions, delete, register, publish).
package registry
