package gdrivemanager_test

import (
	"bytes"
	"fmt"
	"net/http"
	"time"
)

// Behaviours of the fake's anonymous route, by file id (see fakeDrive.anon).
const (
	anonFile        = ""             // the file, or a 404 page
	anonQuota       = "quota"        // the quota page, status 200
	anonVirusCookie = "virus-cookie" // legacy interstitial: a download_warning cookie
	anonVirusForm   = "virus-form"   // current interstitial: a download form
	anonVirusLink   = "virus-link"   // legacy interstitial: a confirm link
	anonVirusStuck  = "virus-stuck"  // an interstitial that never lets go
	anonSignIn      = "signin"       // a sign-in page sent as octet-stream
)

// Pages of the fake, close to Drive's own.
const (
	quotaPage = `<!DOCTYPE html><html><head><title>Google Drive - Quota exceeded</title></head><body>
<a href="https://accounts.google.com/ServiceLogin">Sign in</a>
<p>Sorry, you can't view or download this file at this time.</p>
<p>Too many users have viewed or downloaded this file recently. Please try accessing the file again later.</p></body></html>`
	virusPage = `<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>
<p>Google Drive can't scan this file for viruses.</p>%s</body></html>`
	virusForm = `<form id="download-form" action="https://drive.usercontent.google.com/download" method="get">
<input type="submit" value="Download anyway"><input type="hidden" name="id" value="%s">
<input type="hidden" name="export" value="download"><input type="hidden" name="confirm" value="t">
<input type="hidden" name="uuid" value="` + formUUID + `"></form>`
	virusLink    = `<a id="uc-download-link" href="/uc?export=download&amp;confirm=` + confirmToken + `&amp;id=%s">Download anyway</a>`
	notFoundPage = `<html><head><title>Not Found</title></head><body><p>Sorry, the file you have requested does not exist.</p></body></html>`
	signInPage   = `<!doctype html><html><body><a href="https://accounts.google.com/ServiceLogin?continue=x">Sign in</a></body></html>`
)

// anonymous answers the anonymous download route.
func (f *fakeDrive) anonymous(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("id")
	if q.Get("export") != "download" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	mode := f.anon[id]
	f.mu.Unlock()
	cookie, _ := r.Cookie("download_warning_13058_" + id)
	passed := cookie != nil && cookie.Value == confirmToken && q.Get("confirm") == confirmToken
	switch {
	case mode == anonQuota:
		page(w, http.StatusOK, quotaPage)
	case mode == anonSignIn:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte(signInPage))
	case mode == anonVirusCookie && !passed, mode == anonVirusStuck:
		http.SetCookie(w, &http.Cookie{Name: "download_warning_13058_" + id, Value: confirmToken})
		page(w, http.StatusOK, fmt.Sprintf(virusPage, ""))
	case mode == anonVirusForm && q.Get("uuid") != formUUID:
		page(w, http.StatusOK, fmt.Sprintf(virusPage, fmt.Sprintf(virusForm, id)))
	case mode == anonVirusLink && q.Get("confirm") != confirmToken:
		page(w, http.StatusOK, fmt.Sprintf(virusPage, fmt.Sprintf(virusLink, id)))
	default:
		f.serveAnon(w, r, id)
	}
}

// serveAnon sends file id as Drive's usercontent host does, or a 404 page.
func (f *fakeDrive) serveAnon(w http.ResponseWriter, r *http.Request, id string) {
	data, ok := f.get(id)
	if !ok {
		page(w, http.StatusNotFound, notFoundPage)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="model.bin"`)
	http.ServeContent(w, r, "", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), bytes.NewReader(data))
}

// page writes an HTML page with status code.
func page(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write([]byte(body))
}
