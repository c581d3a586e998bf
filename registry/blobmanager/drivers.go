package blobmanager

// The gocloud drivers this package supports. Importing blobmanager links
// them (and the AWS, Google Cloud and Azure SDKs they use) and registers
// their URL schemes with gocloud's default URL mux; programs that do not
// import blobmanager link none of them.
import (
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/memblob"   // mem://
	_ "gocloud.dev/blob/s3blob"    // s3://
)
