// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a partial write: data goes to a uniquely
// named temporary file in the destination directory, is synced, and is renamed
// over the destination; the directory is then synced.
//
// Temporary files are named ".<base>.tmp-<random>" so that concurrent writers,
// in this process or others, never share one, and so that a crash leaves only
// files that [Clean] (or a later writer) can recognise and remove.
package atomicfile
