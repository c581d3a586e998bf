package ocimanager

import ocispec "github.com/opencontainers/image-spec/specs-go/v1"

// Media types and annotations of the CNCF ModelPack specification
// (github.com/modelpack/model-spec, specs-go/v1), which [Manager.Upload]
// writes and downloads accept.
const (
	// ArtifactTypeModel is the artifactType of a ModelPack model manifest.
	ArtifactTypeModel = "application/vnd.cncf.model.manifest.v1+json"
	// MediaTypeModelConfig is the media type of a ModelPack model's config
	// blob (see [ModelConfig]).
	MediaTypeModelConfig = "application/vnd.cncf.model.config.v1+json"
	// MediaTypeWeightRaw is the media type of an unarchived, uncompressed
	// weights file: the default layer media type of uploads.
	MediaTypeWeightRaw = "application/vnd.cncf.model.weight.v1.raw"
	// AnnotationFilepath is ModelPack's layer annotation holding the file's
	// path in the model, written beside [AnnotationTitle].
	AnnotationFilepath = "org.cncf.model.filepath"
	// AnnotationTitle is the OCI layer annotation naming the file a layer
	// holds ("org.opencontainers.image.title"), as oras push writes it.
	AnnotationTitle = ocispec.AnnotationTitle
	// AnnotationTags is the manifest annotation holding the entry's tags,
	// comma-separated.
	AnnotationTags = "io.modelreg.tags"
	// AnnotationEntry is the manifest annotation holding the whole manifest
	// entry (JSON) in the artifacts of an OCI image layout written by
	// package ocilayout, so that an import restores the entry.
	AnnotationEntry = "io.modelreg.entry"
)

// ModelConfig is the config blob of the artifacts [Manager.Upload] pushes,
// in the ModelPack schema (the fields this module knows of).
type ModelConfig struct {
	Descriptor ModelDescriptor `json:"descriptor"`
	ModelFS    ModelFS         `json:"modelfs"`
}

// ModelDescriptor is the "descriptor" of a ModelPack model config: the
// manifest entry's metadata.
type ModelDescriptor struct {
	Name        string   `json:"name,omitempty"`
	Version     string   `json:"version,omitempty"`
	Authors     []string `json:"authors,omitempty"`
	Licenses    []string `json:"licenses,omitempty"`
	Description string   `json:"description,omitempty"`
	SourceURL   string   `json:"sourceURL,omitempty"`
}

// ModelFS is the "modelfs" of a ModelPack model config: the digests of
// the uncompressed layers, in order.
type ModelFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diffIds"`
}
