package main

import (
	"fmt"
	"strings"
)

// failures are the errors of a command given several names, each tried:
// run prints one line for each and exits with status 1.
type failures struct {
	errs []error
}

func (f *failures) Error() string {
	msgs := make([]string, len(f.errs))
	for i, e := range f.errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (f *failures) Unwrap() []error { return f.errs }

// add records the failure of name, naming it unless the error does; a nil
// err records nothing.
func (f *failures) add(name string, err error) {
	switch {
	case err == nil:
	case strings.Contains(err.Error(), name):
		f.errs = append(f.errs, err)
	default:
		f.errs = append(f.errs, &nameError{name: name, err: err})
	}
}

// err returns f when something failed, else nil.
func (f *failures) err() error {
	if len(f.errs) == 0 {
		return nil
	}
	return f
}

// nameError is the failure of one of several names.
type nameError struct {
	name string
	err  error
}

func (e *nameError) Error() string { return fmt.Sprintf("%s: %v", e.name, e.err) }

func (e *nameError) Unwrap() error { return e.err }
