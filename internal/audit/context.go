package audit

import (
	"context"
	"net"
	"net/http"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	remoteIPKey
	grantTypeKey
)

// WithActor returns ctx carrying actor, recorded by events that name no
// actor of their own: how the admin service, shared by the command line,
// the admin API and the console, learns who called it. An inner call
// overrides an outer one.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey, actor)
}

// actorFrom is ctx's actor, or ActorSystem.
func actorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey).(string); ok && a != "" {
		return a
	}
	return ActorSystem
}

// WithRemoteIP returns ctx carrying the client's IP, recorded by events
// that name none of their own.
func WithRemoteIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, remoteIPKey, ip)
}

func remoteIPFrom(ctx context.Context) string {
	ip, _ := ctx.Value(remoteIPKey).(string)
	return ip
}

// WithGrantType returns ctx carrying the token request's grant_type, which
// token.issued records; the token endpoint's pipeline sets it.
func WithGrantType(ctx context.Context, grantType string) context.Context {
	return context.WithValue(ctx, grantTypeKey, grantType)
}

// GrantType is the grant_type WithGrantType put in ctx, or "".
func GrantType(ctx context.Context) string {
	g, _ := ctx.Value(grantTypeKey).(string)
	return g
}

// RemoteIP is the IP address of the peer that sent r: the host part of
// r.RemoteAddr. Behind a proxy that is the proxy; forwarding headers are
// not trusted, since any client can send them.
func RemoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware puts each request's RemoteIP in its context (WithRemoteIP),
// so that code without the request, such as the admin service or the
// token endpoint's mint step, records where a request came from.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithRemoteIP(r.Context(), RemoteIP(r))))
	})
}
