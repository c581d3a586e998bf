//go:build !unix

package transfer

// pidAlive cannot tell here: a partial download is judged by its age alone.
func pidAlive(pid int) bool { return true }
