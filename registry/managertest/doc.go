// Package managertest is the conformance suite for [registry.Manager]
// implementations, in the manner of gocloud.dev/blob/drivertest: every
// manager's tests call [Run] with a [Harness] that makes fresh managers, and
// the suite checks the contract documented on [registry.Manager] and its
// optional interfaces.
//
// A manager's test file looks like this:
//
//	func TestConformance(t *testing.T) {
//		managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
//			m := mymanager.New(...)
//			return m, func(t *testing.T, key string, data []byte) { ... store data at key ... }
//		}))
//	}
//
// # What is checked
//
//   - Download of empty, small, nested-key and large (4 MiB, random) objects
//     is byte-exact; a missing key gives an error wrapping
//     [registry.ErrNotFound]; invalid keys ("", "/abs", "../x", "a/../../x")
//     are refused and nothing is written.
//   - With [registry.RangeDownloader]: ranges at the start, in the middle, to
//     the end, with n < 0 and with n == 0 are exact; a range beyond the end of
//     the object is an error, never a short success.
//   - With [registry.Stater]: sizes, and ErrNotFound for a missing key.
//   - With [registry.Uploader]: upload then download round trips (size known
//     and unknown), overwrite, a failing reader surfaces its error and leaves
//     the previous object (or none) in place, a size that does not match the
//     reader stores nothing.
//   - With [registry.Deleter]: delete then ErrNotFound, deleting a missing key
//     gives ErrNotFound.
//   - A context cancelled before or during a download gives an error wrapping
//     ctx.Err() within seconds.
//   - Many goroutines downloading (and uploading, when supported) at once get
//     exact bytes; run the suite with -race.
//   - A writer that fails part-way has its error surfaced by Download and
//     DownloadRange.
//   - Permanence: every read call on a missing key fails with an error that
//     [registry.IsPermanent] accepts; with a [RefusingHarness], a refused
//     access fails with an error wrapping [registry.ErrPermanent] and not
//     ErrNotFound (so the registry does not retry it, nor report it as
//     missing).
//
// A manager that implements [registry.Uploader] or [registry.Deleter] but
// returns an error wrapping [registry.ErrNotSupported] (a read-only root, say)
// has those tests skipped.
package managertest
