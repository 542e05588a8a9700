package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/identity"
)

const (
	bridgePath  = "/coopnode-bridge.js"
	helloPath   = "/coopnode-hello"
	maxBodySize = 1 << 20
	maxSource   = 200 // an upload's id (?source=), as the sender chose it
)

// LoadToken returns home's API token, creating it (0600) on first use. It is
// per install: it survives restarts so bookmarked links keep working.
func LoadToken(home string) (string, error) {
	p := filepath.Join(home, node.TokenFile)
	if b, err := os.ReadFile(p); err == nil {
		if t := strings.TrimSpace(string(b)); len(t) >= 32 {
			return t, nil
		}
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	t := hex.EncodeToString(b)
	if err := os.WriteFile(p, []byte(t+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write API token: %w", err)
	}
	return t, nil
}

// Server serves the App as JSON over loopback HTTP, and the UI's assets.
type Server struct {
	app    *App
	token  string
	assets fs.FS
	ln     net.Listener
	origin string // http://127.0.0.1:PORT (or http://[::1]:PORT)
	hosts  map[string]bool
	// Browsers get a cookie holding a per-server session secret, never the
	// API token: cookies ignore ports, so every local service would see it.
	cookie  string // coopnode_PORT
	session string
}

// Listen binds addr, which must be a loopback address ("127.0.0.1:0" picks a port).
func Listen(addr string, a *App, token string, assets fs.FS) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q: the API serves loopback only (127.0.0.1 or ::1)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	session := make([]byte, 32)
	if _, err := rand.Read(session); err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{app: a, token: token, assets: assets, ln: ln,
		origin:  "http://" + ln.Addr().String(),
		hosts:   map[string]bool{ln.Addr().String(): true, fmt.Sprintf("localhost:%d", port): true},
		cookie:  fmt.Sprintf("coopnode_%d", port),
		session: hex.EncodeToString(session)}
	return s, nil
}

// Addr is the base URL without the token.
func (s *Server) Addr() string { return s.origin }

// URL opens the UI with the token.
func (s *Server) URL() string { return s.origin + "/?token=" + s.token }

// Serve serves until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-errc
		return nil
	}
}

// apiInfo is what APIFile holds, so CLI commands can find a running node.
type apiInfo struct {
	URL string `json:"url"`
	PID int    `json:"pid"`
}

// Advertise writes home's API file; the returned func removes it.
func (s *Server) Advertise(home string) (func(), error) {
	b, _ := json.Marshal(apiInfo{URL: s.origin, PID: os.Getpid()})
	p := filepath.Join(home, node.APIFile)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", p, err)
	}
	return func() { os.Remove(p) }, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", s.api)
	mux.HandleFunc("GET "+helloPath, s.hello)
	mux.HandleFunc("GET "+bridgePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		io.WriteString(w, bridgeJS)
	})
	mux.HandleFunc("POST /vault/upload", s.upload)
	mux.HandleFunc("GET /vault/items/{id}", s.download)
	mux.HandleFunc("GET /", s.static)
	return s.guard(mux)
}

// guard rejects requests whose Host or Origin is not this server: DNS
// rebinding pages and other sites must not reach the API, even with a token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts[r.Host] {
			httpError(w, http.StatusMisdirectedRequest, fmt.Sprintf("foreign Host %q: coopnode answers only to %s", r.Host, s.origin))
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != s.origin && !s.hosts[strings.TrimPrefix(o, "http://")] {
			httpError(w, http.StatusForbidden, fmt.Sprintf("foreign Origin %q: cross-site requests are refused", o))
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
	}
	c, err := r.Cookie(s.cookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session)) == 1
}

// helloProof is what a server holding token answers to nonce.
func helloProof(token, nonce string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("coopnode-hello:" + nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// hello proves, without revealing it, that this server holds the home's
// token: the CLI checks this before it sends the token to an advertised port.
func (s *Server) hello(w http.ResponseWriter, r *http.Request) {
	nonce := r.URL.Query().Get("nonce")
	if len(nonce) < 16 || len(nonce) > 128 {
		httpError(w, http.StatusBadRequest, "hello needs a nonce of 16 to 128 characters")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"proof": helloProof(s.token, nonce)})
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	if t := r.URL.Query().Get("token"); t != "" {
		if subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) != 1 {
			httpError(w, http.StatusUnauthorized, "this link's token is wrong: use the link `coopnode serve` printed")
			return
		}
		// Keep the token in a strict, script-invisible cookie and drop it from the address bar.
		http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: s.session, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	if p == "" || p == "index.html" {
		s.index(w)
		return
	}
	b, err := fs.ReadFile(s.assets, p)
	if err != nil {
		s.index(w) // client-side routes fall back to the app
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, p, time.Time{}, bytes.NewReader(b))
}

// index serves index.html with the bridge script injected before any other
// script, so the unchanged frontend finds window.go as it does in the window.
func (s *Server) index(w http.ResponseWriter) {
	b, err := fs.ReadFile(s.assets, "index.html")
	if err != nil {
		httpError(w, http.StatusNotFound, "this build has no UI (frontend/dist was empty when it was built)")
		return
	}
	tag := []byte(`<script src="` + bridgePath + `"></script>`)
	if i := bytes.Index(b, []byte("<script")); i >= 0 {
		b = append(append(append([]byte{}, b[:i]...), tag...), b[i:]...)
	} else {
		b = bytes.Replace(b, []byte("</head>"), append(tag, []byte("</head>")...), 1)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
	w.Write(b)
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		httpError(w, http.StatusUnauthorized, "401: missing or wrong API token: open the link coopnode printed, or send Authorization: Bearer <token from api.token>")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		httpError(w, http.StatusUnsupportedMediaType, "send the arguments as a JSON array with Content-Type: application/json")
		return
	}
	var args []json.RawMessage
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize+1))
	if err == nil && len(body) > maxBodySize {
		err = errors.New("request too large")
	}
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		err = json.Unmarshal(body, &args)
	}
	if err != nil {
		httpError(w, http.StatusBadRequest, "arguments must be a JSON array: "+err.Error())
		return
	}
	result, err := Call(s.app, r.PathValue("method"), args)
	if err != nil {
		httpError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}

// CallError is a request the dispatcher could not map to a method call.
type CallError struct {
	Status int
	Msg    string
}

func (e *CallError) Error() string { return e.Msg }

// Call invokes the API method name with JSON arguments, exactly as the Wails
// binding does: every exported method of *App, arguments by position.
func Call(a *App, name string, args []json.RawMessage) (any, error) {
	m := reflect.ValueOf(a).MethodByName(name)
	if !m.IsValid() || name == "" || !('A' <= name[0] && name[0] <= 'Z') {
		return nil, &CallError{http.StatusNotFound, fmt.Sprintf("no API method %q", name)}
	}
	t := m.Type()
	if len(args) != t.NumIn() {
		return nil, &CallError{http.StatusBadRequest, fmt.Sprintf("%s takes %d arguments, got %d", name, t.NumIn(), len(args))}
	}
	in := make([]reflect.Value, len(args))
	for i, raw := range args {
		p := reflect.New(t.In(i))
		if err := json.Unmarshal(raw, p.Interface()); err != nil {
			return nil, &CallError{http.StatusBadRequest, fmt.Sprintf("%s argument %d: %v", name, i+1, err)}
		}
		in[i] = p.Elem()
	}
	out := m.Call(in)
	var result any
	for _, o := range out {
		if o.Type() == reflect.TypeFor[error]() {
			if !o.IsNil() {
				return nil, o.Interface().(error)
			}
			continue
		}
		result = o.Interface()
	}
	return result, nil
}

// statusOf maps an API error to an HTTP status: 4xx for what the user can
// fix, 500 only for what they cannot.
func statusOf(err error) int {
	var ce *CallError
	switch {
	case errors.As(err, &ce):
		return ce.Status
	case errors.Is(err, ErrInvalidInput):
		return http.StatusBadRequest
	case errors.Is(err, identity.ErrWrongPassphrase):
		return http.StatusForbidden
	case errors.Is(err, ErrLocked), errors.Is(err, ErrUninitialized), errors.Is(err, node.ErrAlreadyInitialized), errors.Is(err, node.ErrInUse):
		return http.StatusConflict
	case errors.Is(err, node.ErrNoProposal), errors.Is(err, node.ErrNoVersion), errors.Is(err, node.ErrNoGrant),
		errors.Is(err, node.ErrNoItem), errors.Is(err, node.ErrNotJoinRequest):
		return http.StatusNotFound
	case errors.Is(err, node.ErrNotEligible):
		return http.StatusForbidden
	case errors.Is(err, node.ErrProposalClosed), errors.Is(err, node.ErrTooEarly):
		return http.StatusConflict
	case errors.Is(err, node.ErrForeignCoop), errors.Is(err, bundle.ErrNotBundle), errors.Is(err, bundle.ErrTruncated),
		errors.Is(err, bundle.ErrTampered), errors.Is(err, bundle.ErrBadRecord), errors.Is(err, fs.ErrNotExist):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// bridgeJS gives a browser tab the same window.go the Wails window has, by
// forwarding each call to the API. The token travels in an HttpOnly cookie.
const bridgeJS = `(function () {
  async function call(method, args) {
    const r = await fetch('/api/' + encodeURIComponent(method), {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args)
    });
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
    return body === null ? undefined : body.result;
  }
  const App = new Proxy({}, { get: (_, m) => (...args) => call(String(m), args) });
  window.go = { app: { App } };
  const noop = () => {};
  window.runtime = window.runtime || {
    EventsOn: noop, EventsOnMultiple: noop, EventsOff: noop, EventsOnce: noop, EventsEmit: noop,
    WindowSetTitle: (t) => { document.title = t; }, LogInfo: noop, LogError: noop,
    BrowserOpenURL: (u) => window.open(u, '_blank', 'noopener')
  };
})();
`

// upload streams a request body into the vault (the browser's file picker
// and drop zone; Wails and the CLI pass paths to AddDataFile instead).
// Query: name (the file's name), title, tags (comma-separated), source (the
// sender's id for this upload: Transfers shows it as the transfer's Source).
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		httpError(w, http.StatusUnauthorized, "401: missing or wrong API token")
		return
	}
	q := r.URL.Query()
	name := filepath.Base(q.Get("name"))
	if name == "." || name == "/" || name == "" {
		httpError(w, http.StatusBadRequest, "say the file's name (?name=)")
		return
	}
	source := q.Get("source")
	if len(source) > maxSource {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("?source= (your id for this upload) is at most %d bytes", maxSource))
		return
	}
	var tags []string
	for _, t := range strings.Split(q.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	v, err := s.app.core.AddData(r.Body, name, source, q.Get("title"), tags, r.ContentLength)
	if err != nil {
		httpError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": v})
}

// download streams an item out of the vault, decrypted, as an attachment.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		httpError(w, http.StatusUnauthorized, "401: missing or wrong API token")
		return
	}
	n, err := s.app.ready()
	if err != nil {
		httpError(w, statusOf(err), err.Error())
		return
	}
	m, err := n.FindItem(r.PathValue("id"))
	if err != nil {
		httpError(w, http.StatusNotFound, err.Error())
		return
	}
	rd, err := n.OpenData(m.Digest)
	if err != nil {
		httpError(w, statusOf(err), err.Error())
		return
	}
	defer rd.Close()
	tr, progress := s.app.core.transfers.start(m.FileName, "", "out", m.Size)
	w.Header().Set("Content-Type", m.MediaType)
	w.Header().Set("Content-Length", strconv.FormatInt(rd.Size(), 10))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.FileName}))
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, &countingReader{r: rd, progress: progress})
	// A failure midway (a tampered vault file) cuts the response short,
	// so the browser reports the download as failed rather than complete.
	s.app.core.transfers.finish(tr, m.Digest.String(), err)
}
