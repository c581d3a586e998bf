package blobmanager

// Opener is the package's registry.OpenFunc factory, for the external tests.
var Opener = opener
