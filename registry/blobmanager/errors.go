package blobmanager

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"gocloud.dev/gcerrors"
	"google.golang.org/api/googleapi"

	"github.com/modelreg/modelreg/registry"
)

// DefaultAnswerTimeout is how long a Manager waits for an object store to
// answer one request (a stat, a delete, the start of a download) before it
// gives up; see [Manager.SetAnswerTimeout]. Some clients retry an endpoint
// that accepts no connection forever; this bounds them.
const DefaultAnswerTimeout = 20 * time.Second

// DriverPanicError reports a panic inside a gocloud driver (seen with
// azureblob for a missing container or a wrong key), turned into an error
// at the Manager's boundary. It wraps [registry.ErrPermanent]: the same
// request panics again.
type DriverPanicError struct {
	Driver string // the bucket URL's scheme: "azblob", "gs", "s3", ...
	Op     string // "download", "stat", "upload", "delete", ...
	Key    string
	Value  any // what the driver panicked with
}

func (e *DriverPanicError) Error() string {
	return fmt.Sprintf("blobmanager: %s: %s driver panicked during %s (a missing bucket or container, or refused credentials?): %v",
		e.Key, e.Driver, e.Op, e.Value)
}

// Unwrap returns [registry.ErrPermanent].
func (e *DriverPanicError) Unwrap() error { return registry.ErrPermanent }

// AnswerTimeoutError reports an object store that did not answer a request
// within the Manager's answer timeout. It wraps
// [context.DeadlineExceeded]; it is transient.
type AnswerTimeoutError struct {
	Op, Key string
	Bucket  string // the bucket URL, without secrets
	Timeout time.Duration
}

func (e *AnswerTimeoutError) Error() string {
	return fmt.Sprintf("blobmanager: %s: no answer from %s to %s within %v (endpoint unreachable or not accepting connections?)",
		e.Key, e.Bucket, e.Op, e.Timeout)
}

// Unwrap returns [context.DeadlineExceeded].
func (e *AnswerTimeoutError) Unwrap() error { return context.DeadlineExceeded }

// recoverDriver turns a panic of the driver into a *DriverPanicError in
// *err. Methods call it deferred.
func (m *Manager) recoverDriver(op, key string, err *error) {
	if v := recover(); v != nil {
		*err = &DriverPanicError{Driver: m.scheme(), Op: op, Key: key, Value: v}
	}
}

// scheme returns the scheme of the Manager's bucket URL ("" for New).
func (m *Manager) scheme() string {
	s, _, ok := strings.Cut(m.url, "://")
	if !ok || m.url == "" {
		return "gocloud"
	}
	return s
}

// SetAnswerTimeout sets how long m waits for the store to answer one
// request; 0 means [DefaultAnswerTimeout], and a negative value waits as
// long as the context allows. A download in progress is not bounded by
// it, only its start; an upload bounds each wait for the store by it. Call
// it before using m.
func (m *Manager) SetAnswerTimeout(d time.Duration) { m.answer = d }

func (m *Manager) answerTimeout() time.Duration {
	if m.answer == 0 {
		return DefaultAnswerTimeout
	}
	return m.answer
}

// awaitAnswer returns a context for one request and a function to call
// once the store has answered; after the answer the context stays valid
// until the parent's end or release. timedOut reports whether the request
// was cut by the answer timeout.
func (m *Manager) awaitAnswer(ctx context.Context) (actx context.Context, answered func(), release func(), timedOut func() bool) {
	d := m.answerTimeout()
	actx, cancel := context.WithCancelCause(ctx)
	if d < 0 {
		return actx, func() {}, func() { cancel(nil) }, func() bool { return false }
	}
	t := time.AfterFunc(d, func() { cancel(errAnswerTimeout) })
	return actx, func() { t.Stop() }, func() { t.Stop(); cancel(nil) },
		func() bool { return errors.Is(context.Cause(actx), errAnswerTimeout) && ctx.Err() == nil }
}

var errAnswerTimeout = errors.New("blobmanager: answer timeout")

// timeoutError returns the *AnswerTimeoutError for op on key.
func (m *Manager) timeoutError(op, key string) error {
	return &AnswerTimeoutError{Op: op, Key: key, Bucket: redact(m.url), Timeout: m.answerTimeout()}
}

// kind classifies an error of the store: notFound only for an object that
// the store says is absent, permanent for refused credentials and invalid
// requests or configs.
func kind(err error) (notFound, permanent bool) {
	if err == nil || netError(err) {
		return false, false // a DNS or connection error says nothing of the object
	}
	switch status, code := httpStatus(err); {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return false, true
	case code == "ContainerNotFound" || code == "NoSuchBucket" || errors.Is(err, storage.ErrBucketNotExist):
		return false, true // the bucket is missing, not the object
	case code == "AuthenticationFailed" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch":
		return false, true
	}
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return true, false
	case gcerrors.PermissionDenied, gcerrors.InvalidArgument, gcerrors.Unimplemented:
		return false, true
	}
	return false, false
}

// netError reports whether err is a DNS or connection error.
func netError(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) ||
		strings.Contains(err.Error(), "no such host") || strings.Contains(err.Error(), "connection refused")
}

// httpStatus returns the HTTP status and service error code in err, when
// it carries a response of Azure, Google Cloud Storage or S3.
func httpStatus(err error) (int, string) {
	var az *azcore.ResponseError
	if errors.As(err, &az) {
		return az.StatusCode, az.ErrorCode
	}
	var g *googleapi.Error
	if errors.As(err, &g) {
		return g.Code, ""
	}
	var s3 interface {
		HTTPStatusCode() int
	}
	status := 0
	if errors.As(err, &s3) {
		status = s3.HTTPStatusCode()
	}
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return status, api.ErrorCode()
	}
	return status, ""
}

// openError explains an error opening the bucket, saying what to set, and
// wraps registry.ErrPermanent: the bucket URL or the environment is wrong.
func openError(bucketURL string, err error) error {
	var hint string
	switch msg := err.Error(); {
	case strings.Contains(msg, "AccountName is required"):
		hint = "no Azure storage account: set AZURE_STORAGE_ACCOUNT, with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN " +
			"(or sign in with the Azure CLI); for Azurite add protocol=http&domain=HOST:PORT&localemu=true to the bucket URL"
	case strings.Contains(msg, "could not find default credentials"):
		hint = "no Google Cloud credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file or run " +
			"\"gcloud auth application-default login\"; for a public bucket add anonymous=true to the bucket URL, " +
			"for an emulator set STORAGE_EMULATOR_HOST"
	}
	if hint != "" {
		return permanent(fmt.Errorf("blobmanager: open bucket %s: %s (%w)", redact(bucketURL), hint, err))
	}
	return permanent(fmt.Errorf("blobmanager: open bucket %s: %w", redact(bucketURL), err))
}

// permanentError is an error that also wraps registry.ErrPermanent,
// without that sentinel's text in its message.
type permanentError struct{ error }

func (e permanentError) Unwrap() []error { return []error{e.error, registry.ErrPermanent} }

// permanent marks err as permanent.
func permanent(err error) error { return permanentError{err} }
