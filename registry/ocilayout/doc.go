// Package ocilayout moves models through an OCI image layout directory
// (the OCI image spec's oci-layout, index.json and blobs/sha256/...), so
// that air-gapped sites carry them with standard tools: oras copy
// --from-oci-layout / --to-oci-layout, skopeo, crane, or a plain copy of
// the directory, into and out of any OCI registry.
//
// [Export] writes each model, downloaded and verified locally, as one
// artifact in the layout: one layer per file titled with its path, the
// ModelPack media types and config that package ocimanager pushes, and
// the whole manifest entry in the manifest annotation
// [ocimanager.AnnotationEntry], its sizes and sha256s filled from the
// local files where the manifest lacked them. Its reference in index.json is the
// model's name, with "-v" and the version for a versioned one
// ("yolox-nano-v1.0").
//
// [Import] reads the artifacts of a layout that carry an entry and
// installs them through [registry.Registry.Import]: every blob is checked
// against its OCI digest as it is read, every file against the entry's
// sha256, and nothing becomes visible until all are verified. Artifacts
// without an entry (pushed by other tools) are listed in the report and
// left alone. Archive models, whose local copy is an extracted tree,
// travel in bundles ([registry.Registry.Export]) instead.
package ocilayout
