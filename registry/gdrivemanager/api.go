package gdrivemanager

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"

	"github.com/modelreg/modelreg/registry"
)

// refusals maps Drive API error reasons to download refusals.
var refusals = map[string]Reason{
	"downloadQuotaExceeded":     ReasonQuota,
	"cannotDownloadAbusiveFile": ReasonAbuse,
}

// apiDownload downloads sp of key through files.get?alt=media.
func (m *Manager) apiDownload(ctx context.Context, svc *drive.Service, key string, sp span, w io.Writer) error {
	call := svc.Files.Get(key).SupportsAllDrives(true).Context(ctx)
	if sp.ranged {
		call.Header().Set("Range", sp.header())
	}
	resp, err := call.Download()
	if err != nil {
		return m.apiError(ctx, "download", key, err)
	}
	defer resp.Body.Close()
	body, want, err := bodyFor(resp, key, sp)
	if err != nil {
		return err
	}
	return copyBody(ctx, key, body, want, w)
}

// apiStat describes key from its metadata.
func (m *Manager) apiStat(ctx context.Context, svc *drive.Service, key string) (registry.ObjectInfo, error) {
	f, err := svc.Files.Get(key).SupportsAllDrives(true).
		Fields("size", "md5Checksum", "modifiedTime", "mimeType").Context(ctx).Do()
	if err != nil {
		return registry.ObjectInfo{}, m.apiError(ctx, "stat", key, err)
	}
	info := registry.ObjectInfo{Size: f.Size, ETag: f.Md5Checksum}
	if strings.HasPrefix(f.MimeType, "application/vnd.google-apps.") {
		info.Size = -1 // Docs, Sheets, folders: no stored bytes
	}
	if t, err := time.Parse(time.RFC3339, f.ModifiedTime); err == nil {
		info.ModTime = t
	}
	return info, nil
}

// apiUpload updates key, or creates it when it does not exist.
func (m *Manager) apiUpload(ctx context.Context, svc *drive.Service, key string, r io.Reader, size int64) error {
	defer m.locks.lock(key)()
	exists, err := m.apiExists(ctx, svc, key)
	if err != nil {
		return err
	}
	ur := &uploadReader{r: r, size: size}
	if exists {
		err = m.update(ctx, svc, key, ur)
	} else {
		err = m.create(ctx, svc, key, ur)
	}
	if rerr := ur.failure(); rerr != nil {
		return opError("upload", key, rerr)
	}
	if err != nil {
		return m.apiError(ctx, "upload", key, err)
	}
	return nil
}

// apiExists reports whether key exists.
func (m *Manager) apiExists(ctx context.Context, svc *drive.Service, key string) (bool, error) {
	_, err := svc.Files.Get(key).SupportsAllDrives(true).Fields("id").Context(ctx).Do()
	if gerr, ok := errors.AsType[*googleapi.Error](err); ok && gerr.Code == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, m.apiError(ctx, "upload", key, err)
	}
	return true, nil
}

// mediaOptions are the options of every upload.
func (m *Manager) mediaOptions() []googleapi.MediaOption {
	chunk := m.opts.UploadChunkSize
	if chunk <= 0 {
		chunk = googleapi.DefaultUploadChunkSize
	}
	return []googleapi.MediaOption{googleapi.ContentType("application/octet-stream"), googleapi.ChunkSize(chunk)}
}

// create creates key with the content of r.
func (m *Manager) create(ctx context.Context, svc *drive.Service, key string, r io.Reader) error {
	f := &drive.File{Id: key, Name: path.Base(key)}
	if m.opts.Folder != "" {
		f.Parents = []string{m.opts.Folder}
	}
	_, err := svc.Files.Create(f).Media(r, m.mediaOptions()...).
		SupportsAllDrives(true).Fields("id").Context(ctx).Do()
	return err
}

// update replaces the content of key with r.
func (m *Manager) update(ctx context.Context, svc *drive.Service, key string, r io.Reader) error {
	_, err := svc.Files.Update(key, &drive.File{}).Media(r, m.mediaOptions()...).
		SupportsAllDrives(true).Fields("id").Context(ctx).Do()
	return err
}

// apiDelete deletes key.
func (m *Manager) apiDelete(ctx context.Context, svc *drive.Service, key string) error {
	err := svc.Files.Delete(key).SupportsAllDrives(true).Context(ctx).Do()
	if err != nil {
		return m.apiError(ctx, "delete", key, err)
	}
	return nil
}

// apiError turns an error of the API client into this package's errors:
// [*RefusedError] for download refusals, [*APIError] for other answers, a
// scrubbed error otherwise.
func (m *Manager) apiError(ctx context.Context, op, key string, err error) error {
	gerr, ok := errors.AsType[*googleapi.Error](err)
	if !ok {
		return m.requestError(ctx, op, key, err)
	}
	reason := ""
	if len(gerr.Errors) > 0 {
		reason = gerr.Errors[0].Reason
	}
	if r, ok := refusals[reason]; ok {
		return &RefusedError{FileID: key, Reason: r, Status: gerr.Code}
	}
	msg := strings.Join(strings.Fields(gerr.Message), " ")
	return &APIError{Op: op, FileID: key, Code: gerr.Code, Reason: reason, Message: m.sec.scrub(msg)}
}
