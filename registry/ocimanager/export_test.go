package ocimanager

// Internal helpers exported for the tests of package ocimanager_test.
var (
	SplitKey      = splitKey
	IsLoopback    = isLoopback
	Classify      = classify
	StatusErrorOf = statusError
)
