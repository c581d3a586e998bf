package gdrivemanager_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/modelreg/modelreg/registry/gdrivemanager"
)

// A public file through the anonymous route; here a local server stands in
// for drive.usercontent.google.com.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		fmt.Fprintf(w, "bytes of file %s\n", r.URL.Query().Get("id"))
	}))
	defer srv.Close()

	m := gdrivemanager.New(&gdrivemanager.Options{Anonymous: true, AnonymousURL: srv.URL + "/download"})
	if err := m.Download(context.Background(), "1AbCdEf", os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output: bytes of file 1AbCdEf
}

// Drive's quota page is reported, never written.
func ExampleRefusedError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body>Too many users have viewed or downloaded this file recently.</body></html>")
	}))
	defer srv.Close()

	m := gdrivemanager.New(&gdrivemanager.Options{Anonymous: true, AnonymousURL: srv.URL + "/download"})
	err := m.Download(context.Background(), "1AbCdEf", os.Stdout)
	if re, ok := errors.AsType[*gdrivemanager.RefusedError](err); ok {
		fmt.Println(re.Reason)
	}
	fmt.Println(err)
	// Output:
	// quota exceeded
	// gdrivemanager: Google Drive refused the download of file "1AbCdEf": quota exceeded; try later or add a mirror
}
