package gdrivemanager

// Open is the package's registry.OpenFunc, for tests.
var Open = open
