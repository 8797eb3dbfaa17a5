// Package web owns everything Gatehouse shows in a browser that is not
// protocol logic: the embedded HTML templates (login, consent, logout,
// error, message and account pages), the embedded static files they use
// (one stylesheet, one small progressive-enhancement script, the favicon),
// and the middleware every HTML page sits behind.
//
// Pages are rendered with html/template, so every value is contextually
// escaped; a page is rendered to a buffer first, so a template error becomes a
// plain 500 instead of half a page. Templates are parsed once, by NewPages.
//
// The pages run under a strict Content-Security-Policy (see SecureHeaders): no
// inline scripts, no inline styles, nothing loaded from another origin. They
// work fully without JavaScript; static/gatehouse.js only guards against
// double submission and adds a show-password toggle.
//
// static/console.css and static/console.js serve the developer console
// (internal/console), which has its own templates but the same palette,
// the same CSP and the same asset versioning (AssetPath). Both kinds of
// page load static/base.css (palette, type, reset) before their own
// stylesheet.
//
// Forms are protected against cross-site request forgery by CSRF, a signed
// double-submit cookie (OWASP CSRF Prevention Cheat Sheet), plus Origin and
// Sec-Fetch-Site checks (RFC 6454 §7, W3C Fetch Metadata). The login form is
// covered too, which defeats login CSRF, where an attacker signs a victim in
// to the attacker's account (RFC 6749 §10.12).
//
// Form contracts, read by handlers elsewhere:
//
//	POST /login    email, password, csrf_token, authz, return_to
//	POST /consent  csrf_token, authz, decision=approve|deny
//	POST /logout   csrf_token, logout_request, decision=logout
//	POST /account/apps/revoke               csrf_token, client_id
//	POST /account/sessions/sign-out-others  csrf_token
//	POST /account/password                  csrf_token, current_password, new_password, confirm_password
//
// Hidden fields are only rendered when their value is non-empty.
package web
