package httpmanager_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/modelreg/modelreg/registry/httpmanager"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "bytes of %s\n", r.URL.RequestURI())
	}))
	defer srv.Close()

	base, key, err := httpmanager.SplitURL(srv.URL + "/models/toy.onnx?sig=abc")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := httpmanager.New(base, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("key:", key)
	if err := m.Download(context.Background(), key, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// key: toy.onnx?sig=abc
	// bytes of /models/toy.onnx?sig=abc
}

func ExampleStatusError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer srv.Close()

	m, _ := httpmanager.New(srv.URL+"/models", nil)
	err := m.Download(context.Background(), "toy.onnx?token=secret", os.Stdout)
	if se, ok := errors.AsType[*httpmanager.StatusError](err); ok {
		fmt.Println(se.Code, se.Temporary())
	}
	// Output: 403 false
}
