package hfmanager

// Open is the package's registry.OpenFunc, for the external tests.
var Open = open
