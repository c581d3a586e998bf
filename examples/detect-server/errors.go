package main

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Error codes of the API: stable strings that clients may test. The HTTP
// status goes with each.
const (
	codeBadRequest       = "bad_request"        // 400: a missing or ambiguous parameter
	codeEmptyBody        = "empty_body"         // 400: no image in the body
	codeDecodeFailed     = "decode_failed"      // 400: not a JPEG or PNG, or a corrupt one
	codeModelNotFound    = "model_not_found"    // 404: no such model served
	codeMethodNotAllowed = "method_not_allowed" // 405
	codeBodyTooLarge     = "body_too_large"     // 413: body over -max-body
	codeImageTooLarge    = "image_too_large"    // 413: image over -max-pixels, refused from its header
	codeOverloaded       = "overloaded"         // 503 + Retry-After: the queue is full
	codeNotReady         = "not_ready"          // 503: models still loading, or shutting down
	codeTimeout          = "timeout"            // 504: the request ran past -timeout
	codeInternal         = "internal"           // 500: the model failed
)

// apiError is the body of every error response.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorStatus is the HTTP status of each code.
var errorStatus = map[string]int{
	codeBadRequest:       http.StatusBadRequest,
	codeEmptyBody:        http.StatusBadRequest,
	codeDecodeFailed:     http.StatusBadRequest,
	codeModelNotFound:    http.StatusNotFound,
	codeMethodNotAllowed: http.StatusMethodNotAllowed,
	codeBodyTooLarge:     http.StatusRequestEntityTooLarge,
	codeImageTooLarge:    http.StatusRequestEntityTooLarge,
	codeOverloaded:       http.StatusServiceUnavailable,
	codeNotReady:         http.StatusServiceUnavailable,
	codeTimeout:          http.StatusGatewayTimeout,
	codeInternal:         http.StatusInternalServerError,
}

// retryAfter is the Retry-After of an overloaded or not-ready answer, in
// seconds.
const retryAfter = 1

// writeError answers with the JSON error of code.
func writeError(w http.ResponseWriter, code, msg string) {
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}
