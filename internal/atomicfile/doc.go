// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a partial write: data goes to a uniquely
// named temporary file in the destination directory, is synced, and is renamed
// over the destination; the directory is then synced.
//
// Temporary files are named ".<base>.tmp-p<pid>.<host hash>.<random>" so that
// concurrent writers, in this process or others, never share one, and so that
// a crash leaves only files that a later writer can recognise and, once
// [Orphaned] says their process is gone, remove.
package atomicfile
