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

// RemoteIP is the IP address of the client that sent r: the one the
// middleware (ClientIPMiddleware) resolved for the request, which behind
// trusted proxies is read from X-Forwarded-For as the brute-force
// throttle reads it, so that both name the same address. Without the
// middleware it is the peer: the host part of r.RemoteAddr, since
// forwarding headers are not trusted by default (any client can send
// them).
func RemoteIP(r *http.Request) string {
	if ip := remoteIPFrom(r.Context()); ip != "" {
		return ip
	}
	return peerIP(r)
}

// peerIP is the host part of r.RemoteAddr.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware puts each request's peer IP in its context (WithRemoteIP),
// so that code without the request, such as the admin service or the
// token endpoint's mint step, records where a request came from. A server
// behind proxies uses ClientIPMiddleware instead.
func Middleware(next http.Handler) http.Handler {
	return ClientIPMiddleware(nil)(next)
}

// ClientIPMiddleware is Middleware with the client's IP as clientIP tells
// it (the server passes the throttle's trusted-proxy logic, the one place
// that decides which X-Forwarded-For entry to believe). An empty answer,
// or a nil clientIP, falls back to the peer's address.
func ClientIPMiddleware(clientIP func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := ""
			if clientIP != nil {
				ip = clientIP(r)
			}
			if ip == "" {
				ip = peerIP(r)
			}
			next.ServeHTTP(w, r.WithContext(WithRemoteIP(r.Context(), ip)))
		})
	}
}
